"""core.access: roles from the roles file, what each role may do, and when the server may listen beyond loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from sla_review.core.access import (
    ACTIONS,
    LOCAL,
    NO_FILE,
    Person,
    Role,
    RolesError,
    RoleTable,
    groups_of,
    is_loopback,
    load_roles,
    network_refusal,
)

TABLE = RoleTable.parse("""
admins = ["Alice@Example.com"]
editors = ["group:RevOps", "bob@example.com"]
viewers = ["@example.com", "bob@example.com"]
""")


@pytest.mark.parametrize(("email", "groups", "role"), [
    ("alice@example.com", [], Role.ADMIN),          # e-mails compare without case
    ("bob@example.com", [], Role.EDITOR),           # listed twice: the higher role wins
    ("carol@example.com", [], Role.VIEWER),         # by the domain
    ("carol@example.com", ["revops"], Role.EDITOR), # by the provider's group claim (case-insensitive)
    ("dan@elsewhere.test", ["revops"], Role.EDITOR),
    ("dan@elsewhere.test", ["sales"], None),        # matched nowhere, no default: no role
    ("someone@sub.example.com", [], None),          # a domain is exact, not a suffix
    (None, [], None),
])
def test_role_for(email: str | None, groups: list[str], role: Role | None) -> None:
    assert TABLE.role_for(email, groups) == role


def test_default_role_for_anyone_signed_in_and_none() -> None:
    assert RoleTable.parse('default = "viewer"').role_for("x@y.z") == Role.VIEWER
    assert RoleTable.parse('default = "none"\nadmins = ["a@b.c"]').role_for("x@y.z") is None
    # no roles file: everyone signed in is a viewer, and sign-in alone never grants a write
    assert NO_FILE.role_for("x@y.z") == Role.VIEWER
    assert load_roles(Path("/nonexistent/roles.toml")) is NO_FILE


@pytest.mark.parametrize(("text", "words"), [
    ("admins = 'a@b.c'", "admins must be a list"),
    ("editors = ['revops']", "neither an e-mail, an @domain nor a group:name"),
    ("owners = ['a@b.c']", "unknown key 'owners'"),
    ("default = 'boss'", "default must be viewer, editor, admin or none"),
    ("admins = [", "not valid TOML"),
])
def test_a_broken_roles_file_is_refused_with_its_reason(text: str, words: str) -> None:
    with pytest.raises(RolesError, match=words):
        RoleTable.parse(text, "roles.toml")


def test_what_each_role_may_do() -> None:
    viewer, editor, admin = (Person(r, "x@y.z") for r in Role)
    assert not any(viewer.may(a) for a in ACTIONS)
    assert {a for a in ACTIONS if editor.may(a)} == {"import", "edit_terms", "draft", "adopt"}
    assert all(admin.may(a) for a in ACTIONS)
    assert not viewer.sees("data") and viewer.sees("funnel") and viewer.sees("terms") and viewer.sees("export")
    assert editor.sees("data")
    nobody = Person(None, "x@y.z")
    assert not nobody.sees("funnel") and not nobody.may("draft")
    assert LOCAL.single_user and all(LOCAL.may(a) for a in ACTIONS) and LOCAL.author is None


def test_groups_claim_as_list_or_single_string() -> None:
    assert groups_of({"groups": ["a", "b"]}, "groups") == ["a", "b"]
    assert groups_of({"roles": "revops"}, "roles") == ["revops"]
    assert groups_of({}, "groups") == []
    assert RoleTable.parse('group_claim = "roles"').group_claim == "roles"


@pytest.mark.parametrize(("address", "loopback"), [
    ("127.0.0.1", True), ("127.0.1.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("", False), ("192.0.2.2", False), ("dash.example.com", False), ("::", False)])
def test_is_loopback(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback


def test_network_refusal() -> None:
    assert network_refusal("127.0.0.1", False, None) is None
    assert network_refusal("0.0.0.0", True, None) is None        # sign-in configured
    assert network_refusal("0.0.0.0", False, "1") is None        # the operator said so, by name
    refusal = network_refusal("0.0.0.0", False, None)
    assert refusal is not None and "0.0.0.0" in refusal and "SLA_ALLOW_NETWORK_WITHOUT_SIGN_IN=1" in refusal
    assert network_refusal("0.0.0.0", False, "0") is not None
    assert "every interface" in (network_refusal("", False, None) or "")
