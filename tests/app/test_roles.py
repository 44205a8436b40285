"""Sign-in and roles in the app (issue 15), through AppTest's st.user: what a signed-out visitor, a viewer and an
editor see, and that the server refuses a viewer's write even when the request reaches it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sla_review.present import safe
from sla_review.store.db import connect
from tests.app.conftest import DASHBOARD, goto, no_exception

pytestmark = pytest.mark.app

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "c", "client_secret": "s",
        "server_metadata_url": "http://localhost:1/.well-known/openid-configuration"}


def signed(monkeypatch: pytest.MonkeyPatch, db: Path, tmp_path: Path, user: dict, page: str | None = None
           ) -> AppTest:
    roles = tmp_path / "roles.toml"
    roles.write_text('viewers = ["viewer@example.com"]\neditors = ["editor@example.com"]\n', encoding="utf-8")
    monkeypatch.setenv("SLA_DB", str(db))
    monkeypatch.setenv("SLA_ROLES", str(roles))
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    at.secrets["auth"] = AUTH
    at.user = user
    at.run()
    return goto(at, page) if page else at


def texts(at: AppTest) -> str:
    return "\n".join([*(m.value for m in at.markdown), *(c.value for c in at.caption), *(e.value for e in at.error),
                      *(w.value for w in at.warning)])


def test_signed_out_sees_the_sign_in_only(monkeypatch, demo_db, tmp_path) -> None:
    at = signed(monkeypatch, demo_db, tmp_path, {"is_logged_in": False})
    no_exception(at)
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.sidebar.children and not at.dataframe
    assert "Nothing of the data is shown" in texts(at)


def test_a_person_with_no_role_sees_nothing(monkeypatch, demo_db, tmp_path) -> None:
    at = signed(monkeypatch, demo_db, tmp_path, {"is_logged_in": True, "email": "x@elsewhere.test"})
    assert "has no role for you" in texts(at)
    assert not at.metric and [b.label for b in at.button] == ["Sign out"]


def test_viewer_reads_but_cannot_write(monkeypatch, demo_db, tmp_path) -> None:
    viewer = {"is_logged_in": True, "email": "viewer@example.com", "name": "Vera"}
    at = signed(monkeypatch, demo_db, tmp_path, viewer)
    no_exception(at)
    assert at.metric  # the scorecard
    assert f"Signed in as {safe.markdown('viewer@example.com')} · viewer" in texts(at)
    # the Proposal page: the replay is there, saving and adopting are not
    at = signed(monkeypatch, demo_db, tmp_path, viewer, "proposal")
    no_exception(at)
    assert "View only" in texts(at)
    assert not [b for b in at.button if b.label.startswith("Save as draft")]
    # a save request reaching the server anyway (a crafted message, a stale button): refused, nothing written
    at.session_state["pp_save_requested"] = True
    at.run()
    assert "Your role may not save or delete drafts. Nothing was changed." in texts(at)
    con = connect(demo_db)
    try:
        assert con.execute("SELECT count(*) FROM sla_drafts").fetchall()[0][0] == 0
    finally:
        con.close()


def test_viewer_has_no_data_page_by_any_route(monkeypatch, demo_db, tmp_path) -> None:
    viewer = {"is_logged_in": True, "email": "viewer@example.com"}
    at = signed(monkeypatch, demo_db, tmp_path, viewer)
    # the Data page is not among the pages Streamlit registered for this person: /data opens the default page
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        goto(at, "data")
    editor = signed(monkeypatch, demo_db, tmp_path, {"is_logged_in": True, "email": "editor@example.com"}, "data")
    no_exception(editor)
    assert editor.get("file_uploader")
    # the page's own guard, for a first request Streamlit routes by file before the menu exists
    guard = AppTest.from_function(_page_guard, default_timeout=30)
    guard.secrets["auth"] = AUTH
    guard.user = viewer
    guard.run()
    assert [e.value for e in guard.error] == ["Your role may not open this page. Nothing was changed."]
    assert [t.value for t in guard.text] == ["refused"]
    guard.user = {"is_logged_in": True, "email": "editor@example.com"}
    guard.run()
    assert not guard.error and [t.value for t in guard.text] == ["allowed"]


def _page_guard() -> None:
    import streamlit as st

    from sla_review.app import auth

    st.text("allowed" if auth.page_allowed("data", "en") else "refused")


def test_editor_saves_a_draft_with_their_name(monkeypatch, demo_db, tmp_path) -> None:
    editor = {"is_logged_in": True, "email": "editor@example.com"}
    at = signed(monkeypatch, demo_db, tmp_path, editor, "proposal")
    no_exception(at)
    assert "View only" not in texts(at)
    [save] = [b for b in at.button if b.label.startswith("Save as draft")]
    save.click().run()
    no_exception(at)
    con = connect(demo_db)
    try:
        rows = con.execute("SELECT author FROM sla_drafts").fetchall()
        con.execute("DELETE FROM sla_drafts")
    finally:
        con.close()
    assert rows == [("editor@example.com",)]


def test_single_user_mode_says_so(monkeypatch, demo_db) -> None:
    monkeypatch.setenv("SLA_DB", str(demo_db))
    at = AppTest.from_file(DASHBOARD, default_timeout=90).run()
    no_exception(at)
    assert any("Single-user mode" in c.value for c in at.sidebar.caption)
