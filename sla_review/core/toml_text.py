"""TOML written by the product (sla.toml from the terms page, mapping presets from the Data page's editor): one
writer for values and keys, so both files quote, escape and spell dates alike. tomllib reads TOML but writes none.
"""

from __future__ import annotations

import datetime as dt
import json
import re


def key(name: str) -> str:
    """A bare key when TOML allows one, else a quoted one."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else value(name)


def value(v: object) -> str:
    """A TOML value: strings as JSON strings (a JSON string is a TOML basic string once DEL is escaped), times
    as "HH:MM" text and dates as ISO text (as sla.toml writes them), lists and tables inline."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(v, dt.time):
        return value(v.strftime("%H:%M") if not v.second and not v.microsecond else v.isoformat())
    if isinstance(v, dt.date):
        return value(v.isoformat())
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{key(str(k))} = {value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {v!r} as TOML")
