"""bind(): the parameters a query names are those in its code, not in its comments or string literals."""

from __future__ import annotations

import duckdb
import pytest

from sla_review.store.sql import bind


def test_a_parameter_named_only_in_a_comment_is_not_bound() -> None:
    text = "-- uses $old_name no more\nSELECT $x AS x /* nor $block */"
    assert bind(text, {"x": 1, "old_name": 2, "block": 3}) == {"x": 1}
    con = duckdb.connect()
    assert con.sql(text, params=bind(text, {"x": 1, "old_name": 2, "block": 3})).fetchall() == [(1,)]


def test_dollar_and_dashes_inside_a_string_are_text() -> None:
    text = "SELECT '$price -- not a comment' AS s, $y AS y"
    assert bind(text, {"y": 5, "price": 9}) == {"y": 5}
    assert duckdb.connect().sql(text, params={"y": 5}).fetchall() == [("$price -- not a comment", 5)]


def test_a_missing_parameter_is_named() -> None:
    with pytest.raises(KeyError, match="'z'"):
        bind("SELECT $z -- $w", {})
