"""The network edge: which requests reach Streamlit at all (pure ASGI, no streamlit import).

Why our own guard: Streamlit 1.67 checks `server.allowedHosts` on the websocket only (its HTTP routes answer any
Host), and its websocket origin check accepts every origin whose *hostname* is localhost/127.0.0.1, whatever the
port, so a page served on another local port could open a session. This guard refuses, before Streamlit sees
them:
- any request (HTTP or websocket) whose Host header's hostname is not in the allowed hosts (DNS rebinding);
- any request carrying an Origin that is neither the same origin as the Host (scheme-less host:port compare, as a
  reverse proxy forwards Host unchanged) nor listed exactly (scheme, host and port) in the allowed origins.
Requests without an Origin (curl, the health probe, top-level navigations) pass the Origin check; the Host check
still applies. HTTP answers also say `frame-ancestors 'self'` so no other origin can frame the dashboard.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
FRAME_POLICY = (b"content-security-policy", b"frame-ancestors 'self'")
_HOSTNAME = re.compile(r"[a-z0-9_.-]+|[0-9a-f:.]+")  # a DNS name or an IP address (IPv6 without brackets)


def hostname_of(host: str | None) -> str | None:
    """The lower-case hostname of a Host header value ("[::1]:8501" -> "::1"); None when it is malformed."""
    if not host:
        return None
    try:
        parts = urlsplit(f"//{host}")
        _ = parts.port  # raises on a non-numeric or out-of-range port
    except ValueError:
        return None
    if parts.hostname is None or parts.username is not None or parts.password is not None or parts.path:
        return None
    name = parts.hostname.rstrip(".")
    return name if _HOSTNAME.fullmatch(name) else None


def host_allowed(host: str | None, allowed: Iterable[str]) -> bool:
    """Is the Host header's hostname one of `allowed` (ports ignored; "*.example.com" and "*" as Streamlit)?
    An empty `allowed` accepts every well-formed Host (Streamlit's own default)."""
    patterns = [p.strip().lower().rstrip(".") for p in allowed if p.strip()]
    name = hostname_of(host)
    if name is None:
        return False
    if not patterns:
        return True
    return any(p == "*" or name == p or (p.startswith("*.") and name.endswith(p[1:])) for p in patterns)


def _netloc(scheme: str, host: str) -> str:
    """host[:port] lower-cased with the scheme's default port dropped, so "http://x" and Host "x:80" agree."""
    parts = urlsplit(f"//{host}")
    try:
        port = parts.port
    except ValueError:
        return host.lower()
    name = (parts.hostname or "").lower()
    name = f"[{name}]" if ":" in name else name
    return name if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{name}:{port}"


def origin_allowed(origin: str | None, host: str | None, allowed_origins: Iterable[str] = ()) -> bool:
    """No Origin, the same host:port as the Host header, or one of `allowed_origins` exactly."""
    if origin is None:
        return True
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False  # "null" (sandboxed frames, file://) and anything odd
    if host is not None and _netloc(parts.scheme, parts.netloc) == _netloc(parts.scheme, host):
        return True
    exact = {f"{u.scheme}://{_netloc(u.scheme, u.netloc)}" for u in map(urlsplit, allowed_origins) if u.netloc}
    return f"{parts.scheme}://{_netloc(parts.scheme, parts.netloc)}" in exact


class EdgeGuard:
    """ASGI middleware applying host_allowed and origin_allowed to every HTTP request and websocket upgrade."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str] = (), allowed_origins: Iterable[str] = (),
                 log: Callable[[str], None] | None = None) -> None:
        self.app = app
        self.allowed_hosts = tuple(allowed_hosts)
        self.allowed_origins = tuple(allowed_origins)
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host, origin = headers.get("host"), headers.get("origin")
        reason = ("host" if not host_allowed(host, self.allowed_hosts)
                  else "origin" if not origin_allowed(origin, host, self.allowed_origins) else None)
        if reason is None:
            await self.app(scope, receive, self._with_frame_policy(send) if scope["type"] == "http" else send)
            return
        if self.log is not None:
            self.log(f"refused {scope['type']} {scope.get('path', '')}: {reason} not allowed "
                     f"(Host={host!r}, Origin={origin!r})")
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # before accept: the upgrade answers 403
            return
        body = f"Forbidden: this {reason} is not allowed.\n".encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode()), FRAME_POLICY]})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _with_frame_policy(send: Send) -> Send:
        async def wrapped(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", []), FRAME_POLICY]
            await send(message)

        return wrapped
