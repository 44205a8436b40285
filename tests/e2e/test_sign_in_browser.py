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


def signed_in_as(email: str, role: str) -> re.Pattern[str]:
    """The sidebar's line; present.safe puts an invisible word joiner before "@" (no e-mail autolink)."""
    user, _, domain = email.partition("@")
    return re.compile(rf"Signed in as {re.escape(user)}\u2060?@{re.escape(domain)} · {role}")


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
    page.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    wait_idle(page)


def test_signed_out_sees_only_sign_in_then_viewer_and_editor(tmp_path: Path) -> None:
    with signed_in_server(tmp_path) as url, playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            # signed out, on the landing page and on a deep link: the sign-in page and nothing else
            for path in ("", "/funnel", "/data", "/export"):
                page.goto(url + path)
                page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
                wait_idle(page)
                assert page.get_by_role("button", name="Sign in").count() == 1, path
                assert page.locator("[data-testid=stSidebar]").count() == 0, path
                assert page.locator("[data-testid=stMetric]").count() == 0, path
                assert page.locator("[data-testid=stDownloadButton]").count() == 0, path
                assert page.locator("[data-testid=stFileUploader]").count() == 0, path
                assert "Nothing of the data is shown" in page.inner_text("body"), path

            # a viewer: the review pages, no Data page in the menu or by URL, no draft saving
            sign_in(page, url, VIEWER)
            page.get_by_text(signed_in_as(VIEWER, "viewer")).wait_for(timeout=60_000)
            page.locator("[data-testid=stMetric]").first.wait_for(timeout=60_000)  # the scorecard's tiles
            shot(page, "viewer")
            nav = page.locator("[data-testid=stSidebarNav]").inner_text()
            assert "Data" not in nav.split("\n") and "Funnel" in nav
            page.goto(url + "/data")
            page.locator("[data-testid=stMetric]").first.wait_for(timeout=60_000)  # the default page instead
            wait_idle(page)
            assert page.locator("[data-testid=stFileUploader]").count() == 0
            page.goto(url + "/proposal")
            page.get_by_text("View only", exact=False).first.wait_for(timeout=60_000)
            wait_idle(page)
            assert page.get_by_role("button", name=re.compile("Save as draft")).count() == 0

            # sign out: back to the sign-in page, nothing shown
            sign_out(page, url)
            assert page.get_by_role("button", name="Sign in").count() == 1
            assert page.locator("[data-testid=stSidebar]").count() == 0

            # an editor (by the provider's group claim): the Data page is there
            sign_in(page, url, EDITOR)
            page.get_by_text(signed_in_as(EDITOR, "editor")).wait_for(timeout=60_000)
            assert "Data" in page.locator("[data-testid=stSidebarNav]").inner_text().split("\n")
            page.goto(url + "/data")
            wait_idle(page)
            shot(page, "editor_data")
            page.wait_for_selector("[data-testid=stFileUploader]", timeout=30_000)
            page.goto(url + "/proposal")
            page.get_by_role("button", name=re.compile("Save as draft")).wait_for(timeout=60_000)
            wait_idle(page)
            assert "View only" not in page.inner_text("body")

            # someone the roles file does not name: signed in, but no role and nothing shown
            sign_out(page, url)
            sign_in(page, url, STRANGER)
            page.get_by_text("has no role for you", exact=False).wait_for(timeout=60_000)
            body = page.inner_text("body")
            shot(page, "no_role")
            assert "has no role for you" in body
            assert page.locator("[data-testid=stSidebar]").count() == 0
            assert page.locator("[data-testid=stMetric]").count() == 0
        finally:
            browser.close()


def test_an_editor_imports_while_two_viewers_watch(tmp_path: Path) -> None:
    """The meeting: two viewers on the dashboard, an editor replaces the data on the Data page. Neither viewer sees
    an error; each is told "Data updated" and the sidebar names the new import and its author; the audit page
    lists it with the editor's e-mail."""
    from tests.conftest import WORKED

    files = [str(p) for p in sorted(WORKED.glob("*.csv"))] + [str(WORKED / "sla.toml")]
    with signed_in_server(tmp_path) as url, playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            pages = {}
            for who in (EDITOR, VIEWER, VIEWER):
                page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
                sign_in(page, url, who)
                pages.setdefault(who, []).append(page)
            editor, (first, second) = pages[EDITOR][0], pages[VIEWER]
            for viewer in (first, second):
                assert "Built on import #1 of " in viewer.locator("[data-testid=stSidebar]").inner_text()
            editor.goto(url + "/data")
            wait_idle(editor)
            editor.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(files)
            editor.get_by_role("button", name="Import 6 leads").wait_for(timeout=60_000)
            wait_idle(editor)
            editor.get_by_role("button", name="Import 6 leads").click()
            # the viewers keep working while the import runs
            first.goto(url + "/funnel")
            second.goto(url + "/response")
            editor.get_by_text("(import #2)").wait_for(timeout=60_000)
            for viewer, path in ((first, "/conversion"), (second, "/")):
                wait_idle(viewer)
                assert viewer.get_by_test_id("stException").count() == 0
                viewer.goto(url + path)
                wait_idle(viewer)
                assert viewer.get_by_test_id("stException").count() == 0
                # (present.safe puts an invisible word joiner before "@" so no e-mail autolink can form)
                side = viewer.locator("[data-testid=stSidebar]").inner_text().replace("\u2060", "")
                assert "Built on import #2 of " in side and f"by {EDITOR}" in side, side
            # a viewer who stays on a page and interacts is told the data changed under them
            second.goto(url + "/?lang=en")
            wait_idle(second)
            editor.get_by_role("button", name="Import 6 leads").click()
            editor.get_by_text("(import #3)").wait_for(timeout=60_000)
            second.locator("[data-testid=stSidebar]").get_by_text("日本語", exact=True).click()
            wait_idle(second)
            toast = second.get_by_test_id("stToast")
            shot(second, "toast")
            toast.first.wait_for(timeout=10_000)
            assert "データが更新されました: 取り込み #3" in toast.first.inner_text().replace("\u2060", "")
            assert second.get_by_test_id("stException").count() == 0
            first.goto(url + "/audit")
            wait_idle(first)
            grid = first.locator("[data-testid=stDataFrame]")
            grid.wait_for()
            shot(first, "audit")
            # the grid draws on a canvas: read what it shows through the page's own CSV of the same rows
            with first.expect_download() as download:
                first.get_by_role("button", name="Download the audit trail (CSV)").click()
            lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
            assert lines[0].startswith("import_id,imported_at,mode,is_demo,source,author,via,files"), lines[0]
            assert [line.split(",")[0] for line in lines[1:]] == ["3", "2", "1"]
            assert [line.count(f",{EDITOR},data_page,") for line in lines[1:]] == [1, 1, 0]
        finally:
            browser.close()
