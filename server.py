"""Serve the dashboard: `streamlit run server.py` (make run, sla_review.devtools.serve, the browser tests).

dashboard.py stays the script every session runs (AppTest runs it directly); this file is the server around it:
1. everything the app imports is imported here, once, before any session thread exists (sla_review.app.preload);
2. sla_review.app.edge.EdgeGuard refuses requests whose Host is not in `server.allowedHosts` and any request whose
   Origin is not this very host:port (or exactly listed in `server.corsAllowedOrigins`), HTTP and websocket alike;
3. without sign-in ([auth] in .streamlit/secrets.toml) it refuses to listen beyond loopback (core.access).
Streamlit 1.67 finds `app` below (an st.App) and serves it with uvicorn; every `--server.*` flag still applies.
"""

from __future__ import annotations

import os

from sla_review.app.preload import preload
from sla_review.store import scratch

preload()
scratch.sweep_all(scratch.SERVER_PREFIXES)  # a killed server's upload copies and chart wrappers go now

from starlette.middleware import Middleware  # noqa: E402
from streamlit import config  # noqa: E402
from streamlit.logger import get_logger  # noqa: E402
from streamlit.starlette import App  # noqa: E402

from sla_review.app import auth  # noqa: E402
from sla_review.app.edge import EdgeGuard  # noqa: E402
from sla_review.core import access  # noqa: E402

_log = get_logger("sla_review.server")  # Streamlit's handler and format: one server log

# 3. No sign-in configured: loopback only, unless the operator says SLA_ALLOW_NETWORK_WITHOUT_SIGN_IN=1 (issue 15).
_refusal = access.network_refusal(config.get_option("server.address"), auth.configured(),
                                  os.environ.get(access.ALLOW_NETWORK_ENV))
if _refusal:
    _log.error(_refusal)
    raise SystemExit(_refusal)


# An uncaught page exception: Streamlit logs "Uncaught app execution" with the traceback on the server; viewers see a
# generic message only (.streamlit/config.toml client.showErrorDetails = "none").
app = App("dashboard.py", middleware=[
    Middleware(EdgeGuard, allowed_hosts=config.get_option("server.allowedHosts"),
               allowed_origins=config.get_option("server.corsAllowedOrigins"), log=_log.warning)])
