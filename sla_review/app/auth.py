"""Sign-in and roles in the app: Streamlit's own st.login / st.user (OIDC, configured in
.streamlit/secrets.toml [auth]) and sla_review.core.access for what each role may do.

The entry script calls :func:`gate` before anything is drawn: a signed-out visitor sees the sign-in page only (no
sidebar, no numbers); a signed-in person with no role sees a refusal. Every write path calls :func:`require`
right before writing, so a page hidden from the menu is never the only guard. Without an [auth] section the app
is in single-user mode (every action allowed, said in the sidebar) and the server listens on loopback only
(core.access.network_refusal).
"""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from sla_review.core import access
from sla_review.core.access import Person
from sla_review.present import catalogue, safe


def w(key: str, lang: str, **values: Any) -> str:
    return catalogue.t(f"access.{key}", lang, **values)


def auth_section() -> dict[str, Any]:
    """The [auth] table of the secrets (empty when there are no secrets or no [auth])."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # noqa: BLE001 - no secrets.toml at all: Streamlit raises on access
        return {}
    return dict(section) if section else {}


def configured() -> bool:
    return bool(auth_section())


def providers() -> list[str | None]:
    """[auth] with client_id itself is the one default provider (st.login()); else one per [auth.NAME]."""
    section = auth_section()
    if "client_id" in section:
        return [None]
    return [name for name, value in section.items() if isinstance(value, dict)]


def _person() -> Person:
    if not configured():
        return access.LOCAL
    if not st.user.is_logged_in:
        return Person(None)
    claims = st.user.to_dict()
    email = str(claims.get("email") or "") or None
    name = str(claims.get("name") or email or "")
    table = access.load_roles()
    return Person(table.role_for(email, access.groups_of(claims, table.group_claim)), email, name)


def current() -> Person:
    """The person of this run, read afresh each time (st.user and a small roles file: well under a millisecond),
    so a role removed from the file takes effect on the next click and nothing can be stale across sessions."""
    return _person()


def gate(lang: str) -> Person:
    """Stop the run unless someone may see the dashboard: the sign-in page for a signed-out visitor, a refusal for
    a signed-in person with no role (or a roles file that cannot be read)."""
    refusal = access.network_refusal(st.get_option("server.address"), configured(),
                                     os.environ.get(access.ALLOW_NETWORK_ENV))
    if refusal:
        st.error(w("network_refused", lang), icon=":material/lock:")
        st.stop()
    try:
        person = current()
    except access.RolesError as err:
        st.title(w("title", lang))
        st.error(w("roles_broken", lang, error=str(err)), icon=":material/error:")
        _sign_out_button(lang)
        st.stop()
    if person.single_user:
        return person
    if not st.user.is_logged_in:
        st.title(w("title", lang))
        st.markdown(w("sign_in_intro", lang))
        for provider in providers():
            label = w("sign_in", lang) if provider is None else w("sign_in_with", lang, provider=provider.title())
            st.button(label, type="primary", icon=":material/login:", key=f"login_{provider}",
                      on_click=st.login, args=(provider,) if provider else ())
        st.stop()
    if person.role is None:
        st.title(w("title", lang))
        st.warning(w("no_role", lang, email=person.email or "?"), icon=":material/block:")
        _sign_out_button(lang)
        st.stop()
    return person


def _sign_out_button(lang: str) -> None:
    st.button(w("sign_out", lang), icon=":material/logout:", key="logout", on_click=st.logout)


def account(lang: str) -> None:
    """In the sidebar: who is signed in, with which role, and the sign-out; or that this is single-user mode."""
    person = current()
    with st.sidebar:
        if person.single_user:
            st.caption(w("single_user", lang))
            return
        st.caption(w("signed_in_as", lang, name=safe.markdown(person.email or person.name or "?"),
                     role=w(f"role_{person.role.key}" if person.role else "role_none", lang)))
        _sign_out_button(lang)


def require(action: str, lang: str) -> bool:
    """Right before a write: True if this person may; else say so on the page (nothing is written)."""
    person = current()
    if person.may(action):
        return True
    st.error(w("refused", lang, action=w(f"action_{action}", lang)), icon=":material/block:")
    return False


def page_allowed(page: str, lang: str) -> bool:
    """For a page file run directly: False (after saying so) when this person's role may not see it."""
    if current().sees(page):
        return True
    st.error(w("page_refused", lang), icon=":material/block:")
    return False
