"""Sign-in for real (issue 15): a local OIDC provider (oidc-provider-mock, started here on localhost), the dashboard
served with an [auth] section pointing at it, and Debian's Chromium signing in as a viewer and as an editor.

Checks what each person sees: a signed-out visitor only the sign-in page (no sidebar, no numbers, no download); a
viewer every review page but no Data page by any route (menu or URL) and no draft saving; an editor the Data page;
sign-out back to the sign-in page."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sla_review.devtools.serve import free_port
from sla_review.devtools.serve import streamlit_server as serve
from tests.e2e.conftest import ARGS, CHROMIUM, demo_database

pytestmark = pytest.mark.e2e
playwright = pytest.importorskip("playwright.sync_api")
oidc = pytest.importorskip("oidc_provider_mock")

VIEWER = "viewer@example.com"
EDITOR = "editor@example.com"
STRANGER = "stranger@elsewhere.test"


@contextlib.contextmanager
def signed_in_server(tmp: Path) -> Iterator[str]:
    """The dashboard on localhost:PORT with [auth] → the mock provider; roles: one editor, one viewer, no default."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    db = demo_database(tmp, 2_000, 7, "auth")
    users = [oidc.User(sub=VIEWER, claims={"email": VIEWER, "name": "Vera Viewer"}),
             oidc.User(sub=EDITOR, claims={"email": EDITOR, "name": "Ed Editor", "groups": ["revops"]}),
             oidc.User(sub=STRANGER, claims={"email": STRANGER})]
    with oidc.run_server_in_thread(user_claims=users) as provider:
        port = free_port()
        secrets = tmp / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
            'cookie_secret = "a-long-random-test-cookie-secret-0123456789"\n'
            'client_id = "sla-review-test"\n'
            'client_secret = "not-a-secret"\n'
            f'server_metadata_url = "http://localhost:{provider.server_port}/.well-known/openid-configuration"\n',
            encoding="utf-8")
        roles = tmp / "roles.toml"
        roles.write_text(f'viewers = ["{VIEWER}"]\neditors = ["group:revops"]\n', encoding="utf-8")
        env = {"STREAMLIT_SECRETS_FILES": str(secrets), "SLA_ROLES": str(roles)}
        with serve(db, tmp / "server.log", env=env, port=port) as url:
            yield url.replace("127.0.0.1", "localhost")  # the redirect URL's host: the cookie must match it


def wait_idle(page) -> None:
    page.wait_for_selector("[data-testid=stApp]", timeout=60_000)
    page.wait_for_timeout(800)
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
    page.wait_for_timeout(500)


def sign_in(page, url: str, who: str) -> None:
    page.goto(url)
    wait_idle(page)
    shot(page, "signed_out")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/oauth2/authorize.*"), timeout=30_000)
    page.locator(f"button[name=sub][value='{who}']").click()
    page.wait_for_url(re.compile(rf"^{re.escape(url)}/?(\?.*)?$"), timeout=30_000)
    wait_idle(page)


def shot(page, name: str) -> None:
    """Screenshots for a person to look at, when SLA_SHOTS names a folder (never asserted on)."""
    import os

    if os.environ.get("SLA_SHOTS"):
        page.screenshot(path=str(Path(os.environ["SLA_SHOTS"]) / f"auth_{name}.png"), full_page=True)


def sign_out(page, url: str) -> None:
    """Streamlit's st.logout clears its cookie and, when the provider offers one, goes through its end-session
    page (the mock asks to confirm), then back to the dashboard."""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*(/oauth2/end_session|localhost:\d+/?(\?.*)?$)"), timeout=30_000)
    if "/oauth2/end_session" in page.url:
        page.get_by_role("button", name="End session").click()
        page.wait_for_timeout(1_000)
    page.goto(url)
    wait_idle(page)


def test_signed_out_sees_only_sign_in_then_viewer_and_editor(tmp_path: Path) -> None:
    with signed_in_server(tmp_path) as url, playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            # signed out, on the landing page and on a deep link: the sign-in page and nothing else
            for path in ("", "/funnel", "/data", "/export"):
                page.goto(url + path)
                wait_idle(page)
                assert page.get_by_role("button", name="Sign in").count() == 1, path
                assert page.locator("[data-testid=stSidebar]").count() == 0, path
                assert page.locator("[data-testid=stMetric]").count() == 0, path
                assert page.locator("[data-testid=stDownloadButton]").count() == 0, path
                assert page.locator("[data-testid=stFileUploader]").count() == 0, path
                assert "Nothing of the data is shown" in page.inner_text("body"), path

            # a viewer: the review pages, no Data page in the menu or by URL, no draft saving
            sign_in(page, url, VIEWER)
            body = page.inner_text("body")
            assert f"Signed in as {VIEWER} · viewer" in body
            shot(page, "viewer")
            assert page.locator("[data-testid=stMetric]").count() > 0  # the scorecard's tiles
            nav = page.locator("[data-testid=stSidebarNav]").inner_text()
            assert "Data" not in nav.split("\n") and "Funnel" in nav
            page.goto(url + "/data")
            wait_idle(page)
            assert page.locator("[data-testid=stFileUploader]").count() == 0
            page.goto(url + "/proposal")
            wait_idle(page)
            assert "View only" in page.inner_text("body")
            assert page.get_by_role("button", name=re.compile("Save as draft")).count() == 0

            # sign out: back to the sign-in page, nothing shown
            sign_out(page, url)
            assert page.get_by_role("button", name="Sign in").count() == 1
            assert page.locator("[data-testid=stSidebar]").count() == 0

            # an editor (by the provider's group claim): the Data page is there
            sign_in(page, url, EDITOR)
            assert f"Signed in as {EDITOR} · editor" in page.inner_text("body")
            assert "Data" in page.locator("[data-testid=stSidebarNav]").inner_text().split("\n")
            page.goto(url + "/data")
            wait_idle(page)
            shot(page, "editor_data")
            page.wait_for_selector("[data-testid=stFileUploader]", timeout=30_000)
            page.goto(url + "/proposal")
            wait_idle(page)
            assert page.get_by_role("button", name=re.compile("Save as draft")).count() == 1
            assert "View only" not in page.inner_text("body")

            # someone the roles file does not name: signed in, but no role and nothing shown
            sign_out(page, url)
            sign_in(page, url, STRANGER)
            body = page.inner_text("body")
            shot(page, "no_role")
            assert "has no role for you" in body
            assert page.locator("[data-testid=stSidebar]").count() == 0
            assert page.locator("[data-testid=stMetric]").count() == 0
        finally:
            browser.close()
