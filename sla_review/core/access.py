"""Who may do what: the three roles, the actions each allows, the roles file, and when the server may listen
beyond this machine (issue 15). Pure Python: the app (sla_review/app/auth.py) asks here, and every write path
asks again on the server, so a hidden button is never the only guard.

The roles file (``roles.toml``, $SLA_ROLES, else data/roles.toml) names people by e-mail, a whole e-mail domain
(``@example.com``) or a group the provider puts in the ID token (``group:revops``); the highest role matched wins.
Anyone signed in and matched nowhere gets ``default`` (leave it out to let nobody else in). With no roles file
every signed-in person is a viewer: sign-in alone never grants a write.
"""

from __future__ import annotations

import enum
import ipaddress
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


class Role(enum.IntEnum):
    """Ordered: a higher role may do everything a lower one may."""

    VIEWER = 1
    EDITOR = 2
    ADMIN = 3

    @property
    def key(self) -> str:
        return self.name.lower()


#: every write the app offers, and the lowest role that may do it (the server checks it before writing)
ACTIONS: dict[str, Role] = {
    "import": Role.EDITOR,        # the Data page: upload, replace or append data
    "edit_terms": Role.EDITOR,    # the SLA terms page: calendars, teams, tiers put in force
    "draft": Role.EDITOR,         # the Proposal page: save or delete a draft
    "adopt": Role.EDITOR,         # the Proposal page: adopt a draft as a new SLA version
    "assign_roles": Role.ADMIN,   # the roles file (edited by an admin; no page writes it yet)
}

#: pages a role below the given one does not see in the menu (and that refuse to run for it)
PAGE_ROLES: dict[str, Role] = {"data": Role.EDITOR}

ALLOW_NETWORK_ENV = "SLA_ALLOW_NETWORK_WITHOUT_SIGN_IN"
ROLES_ENV = "SLA_ROLES"
DEFAULT_ROLES = Path(__file__).resolve().parents[2] / "data" / "roles.toml"
_LISTS = {"admins": Role.ADMIN, "editors": Role.EDITOR, "viewers": Role.VIEWER}
_KEYS = {*_LISTS, "default", "group_claim"}


class RolesError(ValueError):
    """The roles file cannot be used (the message names the file and the key); the app then lets nobody in."""


@dataclass(frozen=True)
class Person:
    """The person this session acts for. ``email`` is None in single-user mode (no sign-in configured)."""

    role: Role | None
    email: str | None = None
    name: str | None = None
    single_user: bool = False

    def may(self, action: str) -> bool:
        return self.role is not None and self.role >= ACTIONS[action]

    def sees(self, page: str) -> bool:
        return self.role is not None and self.role >= PAGE_ROLES.get(page, Role.VIEWER)

    @property
    def author(self) -> str | None:
        """What the audit trail records as who did it."""
        return self.email


LOCAL = Person(Role.ADMIN, single_user=True)


@dataclass(frozen=True)
class RoleTable:
    """The roles file, read once: e-mails, domains (``@x``) and groups (``group:x``) per role."""

    emails: dict[str, Role] = field(default_factory=dict)
    domains: dict[str, Role] = field(default_factory=dict)
    groups: dict[str, Role] = field(default_factory=dict)
    default: Role | None = None
    group_claim: str = "groups"

    @classmethod
    def parse(cls, text: str, where: str = "roles.toml") -> RoleTable:
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise RolesError(f"{where}: not valid TOML ({err})") from None
        unknown = sorted(set(raw) - _KEYS)
        if unknown:
            raise RolesError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
        table = cls(group_claim=str(raw.get("group_claim", "groups")))
        for key, role in _LISTS.items():
            names = raw.get(key, [])
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise RolesError(f"{where}: {key} must be a list of e-mails, @domains or group:names")
            for entry in (n.strip().casefold() for n in names):
                if entry.startswith("group:") and entry[6:]:
                    _raise(table.groups, entry[6:], role)
                elif entry.startswith("@") and len(entry) > 1:
                    _raise(table.domains, entry[1:], role)
                elif "@" in entry.strip("@"):
                    _raise(table.emails, entry, role)
                else:
                    raise RolesError(f"{where}: {key} holds {entry!r}, which is neither an e-mail, "
                                     "an @domain nor a group:name")
        if "default" in raw:
            default = raw["default"]
            if default not in {r.key for r in Role} and default != "none":
                raise RolesError(f"{where}: default must be viewer, editor, admin or none, not {default!r}")
            object.__setattr__(table, "default", None if default == "none" else Role[default.upper()])
        return table

    def role_for(self, email: str | None, groups: Iterable[str] = ()) -> Role | None:
        """The highest role the person's e-mail, domain or groups give; else ``default``."""
        found: list[Role] = []
        if email:
            address = email.strip().casefold()
            found += [r for r in (self.emails.get(address),
                                  self.domains.get(address.rpartition("@")[2])) if r is not None]
        found += [self.groups[g] for g in (str(x).strip().casefold() for x in groups) if g in self.groups]
        return max(found) if found else self.default


NO_FILE = RoleTable(default=Role.VIEWER)


def _raise(where: dict[str, Role], key: str, role: Role) -> None:
    where[key] = max(role, where.get(key, role))


def roles_path() -> Path:
    return Path(os.environ.get(ROLES_ENV) or DEFAULT_ROLES)


def load_roles(path: Path | None = None) -> RoleTable:
    """The roles file, or :data:`NO_FILE` (everyone signed in is a viewer) when there is none."""
    path = path or roles_path()
    if not path.exists():
        return NO_FILE
    return RoleTable.parse(path.read_text(encoding="utf-8"), str(path))


def groups_of(claims: dict[str, object], claim: str) -> list[str]:
    """The groups an ID token carries: a list, or one string (some providers send a single group so)."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def is_loopback(address: str) -> bool:
    """True for addresses only this machine reaches: 127.0.0.0/8, ::1, localhost."""
    host = address.strip().strip("[]")
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a hostname or 0.0.0.0 / "" (every interface): beyond this machine


def network_refusal(address: str | None, signed_in: bool, allowed: str | None) -> str | None:
    """Why the server must not listen on ``address`` (None: it may). Without sign-in, anyone who reaches the port
    could replace the data; beyond loopback that needs sign-in, or the operator's explicit
    SLA_ALLOW_NETWORK_WITHOUT_SIGN_IN=1."""
    if address is None or is_loopback(address) or signed_in or (allowed or "").strip() in ("1", "yes", "true"):
        return None
    shown = address or "every interface"
    return (f"refusing to listen on {shown}: no sign-in is configured ([auth] in .streamlit/secrets.toml), so "
            "anyone who reaches the port could open the Data page and replace the data. Configure sign-in "
            f"(README, Sign-in and roles), listen on 127.0.0.1, or set {ALLOW_NETWORK_ENV}=1 to serve a trusted "
            "network without sign-in.")
