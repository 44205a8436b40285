"""The deck's headlines word a change's verdict (issue 12): "rose from 18% to 24%, beyond noise" / "moved within
noise", in English and Japanese, from the same Newcombe verdict the scorecard tile carries."""

from __future__ import annotations

import pytest

from sla_review.export import deck
from sla_review.metrics import intervals


@pytest.mark.parametrize(("lang", "noise", "expected"), [
    ("en", intervals.BEYOND, "rose from 18% to 24%, beyond noise"),
    ("en", intervals.WITHIN, "moved within noise, from 18% to 24%"),
    ("en", None, "rose from 18% to 24%"),
    ("ja", intervals.BEYOND, "18%から24%に上昇（誤差を超える変化）"),
    ("ja", intervals.WITHIN, "18%から24%へ、誤差の範囲内で推移"),
])
def test_move_words_the_verdict(lang, noise, expected):
    assert deck._move(lang, 0.18, 0.24, noise) == expected


def test_a_fall_beyond_noise_and_a_hold():
    assert deck._move("en", 0.24, 0.18, intervals.BEYOND) == "fell from 24% to 18%, beyond noise"
    assert deck._move("en", 0.24, 0.24, intervals.WITHIN) == "held at 24.0%"  # nothing moved: no verdict to word


def test_verdict_from_two_report_sections():
    """240 of 1,000 vs 180 of 1,000: Newcombe's interval [0.024, 0.096] leaves out 0 -> beyond noise."""
    now, before = {"converted": 240, "cohort": 1000}, {"converted": 180, "cohort": 1000}
    assert deck._noise(now, before, "converted", "cohort") == intervals.BEYOND
    assert deck._noise({"converted": 24, "cohort": 100}, {"converted": 18, "cohort": 100}, "converted",
                       "cohort") == intervals.WITHIN
