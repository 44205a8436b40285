"""Deterministic, scalable demo data in the canonical import format (see DOMAIN.md).

Why it looks the way it does: the dashboard is shown to sales leadership and drives a "quality vs volume"
what-if on the MQL threshold, so the data must behave like a real B2B funnel (seasonality, night and
holiday arrivals, scores that really predict conversion, slow and fast reps, a closed loop with reasons).
Why it is built the way it is: 10M leads must fit in a few GB, so leads are generated in fixed-size chunks,
each with its own numpy Generator seeded from (seed, chunk index), fully vectorised, and appended to
Parquet with ParquetWriter. The output depends only on (leads, seed): never on today's date, the chunking of
the writer or Python's hash randomisation.

All internal times are float seconds of *Tokyo wall-clock* since GRID_START (Japan has no DST, so wall-clock
seconds and absolute seconds differ by a constant); they become UTC instants only when written.

Run: ``python -m sla_review.ingest.demo OUT_DIR [--leads N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sla_review.core import vocabulary
from sla_review.core.terms import Calendar, SlaConfig, SlaVersion, Tier, to_toml
from sla_review.store.business_time import holiday_names

CHUNK = 250_000  # leads per chunk; part of the output's identity (chunk k uses Generator([seed, 1, k]))
JST = dt.timezone(dt.timedelta(hours=9), "JST")  # Asia/Tokyo: no DST since 1951
GRID_START = dt.date(2024, 10, 1)  # origin of internal time; a little before the first lead
GRID_END = dt.date(2027, 12, 31)  # delays may run past the cutoff; they are trimmed at write time
CREATE_FIRST = dt.date(2024, 11, 1)
CREATE_LAST = dt.date(2026, 10, 31)
# local; the data is "as of" the end of the last creation day: nothing later is written, so the newest
# timestamp (the default as_of) falls on the last lead's day and "this half-year" has no empty partial month
CUTOFF = dt.datetime.combine(CREATE_LAST, dt.time(23, 59, 59))
V2_FROM = dt.date(2026, 4, 1)
DAY_S = 86_400.0
TS = pa.timestamp("us", tz="UTC")

STAGES = list(vocabulary.STAGES)  # the ladder then the side stages: the indices below follow that order
(INQ, MQL, SAL, SQL, OPP, WON, LOST, REJ, REC, DQ) = range(len(STAGES))

SOURCES = ["webinar", "paid-search", "organic", "ebook", "event", "referral", "contact-form", "partner"]
SRC_P = np.array([0.17, 0.21, 0.17, 0.14, 0.09, 0.05, 0.09, 0.08])
SRC_ENG = np.array([56.0, 42.0, 44.0, 47.0, 57.0, 59.0, 65.0, 52.0])  # engagement by source
SRC_LOGIT = np.array([0.0, -0.2, 0.0, -0.3, 0.2, 0.6, 0.4, 0.2])  # true quality by source
(S_WEB, S_PS, S_ORG, S_EBOOK, S_EVENT, S_REF, S_FORM, S_PARTNER) = range(len(SOURCES))

PERSONAS = ["it-manager", "cio", "engineer", "procurement", "executive"]
PERSONA_P = np.array([0.34, 0.09, 0.27, 0.12, 0.18])
PERSONA_FIT = np.array([3.0, 9.0, -5.0, -2.0, 6.0])
PERSONA_LOGIT = np.array([0.0, 0.25, -0.2, -0.2, 0.2])
PERSONA_BY_TIER = np.array([[1.0, 1.4, 1.0, 1.5, 0.6],  # A: more CIOs and procurement
                            [1.0, 1.1, 1.0, 1.1, 0.9],
                            [1.0, 0.9, 1.0, 0.9, 1.1],
                            [0.9, 0.6, 1.1, 0.6, 1.5]])  # D: small firms, the boss buys
PERSONA_MISSING = 0.02  # real forms leave it blank sometimes

TIERS = ["A", "B", "C", "D"]
TIER_FIT = np.array([72.0, 59.0, 47.0, 34.0])
REGIONS = ["kanto", "kansai", "chubu", "kyushu", "tohoku", "hokkaido", "chugoku", "shikoku"]
REGION_P = np.array([0.42, 0.18, 0.14, 0.08, 0.05, 0.05, 0.05, 0.03])
EAST_REGIONS = np.array([1, 0, 0, 0, 1, 1, 0, 0], dtype=bool)
TEAMS = ["enterprise", "inside-sales-east", "inside-sales-west"]
TEAM_SHARE = np.array([0.2, 0.45, 0.35])

CHANNELS = list(vocabulary.CHANNELS)
(CH_EMAIL, CH_PHONE, CH_MEETING, CH_OTHER) = range(len(CHANNELS))
OUTCOMES = ["connected", "no answer", "voicemail", "replied", "meeting booked"]
(O_CONN, O_NOANS, O_VM, O_REPLIED, O_BOOKED) = range(len(OUTCOMES))

REJECT_REASONS = ["no budget", "not decision maker", "wrong fit", "duplicate", "unreachable",
                  "student/competitor"]
RECYCLE_REASONS = ["timing", "nurture"]
LOST_REASONS = ["price", "competitor", "no decision", "timing"]
DQ_REASONS = ["spam", "student/competitor", "out of territory", "duplicate"]
REASONS = list(dict.fromkeys(REJECT_REASONS + RECYCLE_REASONS + LOST_REASONS + DQ_REASONS))
R_IDX = {r: i for i, r in enumerate(REASONS)}

NAME_PREFIX = ["", "", "", "", "Shin-", "Nishi-", "Higashi-", "Kita-", "Minami-", "Dai-Nippon ", "Nihon ",
               "Zen-Nippon "]
NAME_BASE = ["Sakura", "Aoba", "Hikari", "Fuji", "Midori", "Asahi", "Yamato", "Tokai", "Chuo", "Shinsei",
             "Daiichi", "Taiyo", "Hoshi", "Sora", "Umi", "Kaze", "Mirai", "Yume", "Tsubasa", "Kizuna",
             "Hinode", "Akebono", "Wakaba", "Matsu", "Take", "Ume", "Kawa", "Mori", "Hayashi", "Ishi",
             "Kane", "Tama", "Nishiki", "Kotobuki", "Heiwa", "Seiwa", "Kyowa", "Towa", "Sanwa", "Meisei",
             "Koyo", "Shoei", "Eiko", "Hokuto", "Kirin", "Tsuru", "Kame", "Suzu", "Hana", "Tsuki", "Yuki",
             "Izumi", "Minato", "Oka", "Tani", "Shima", "Hama", "Sato", "Ogawa", "Ueno", "Hirose", "Kasuga",
             "Musashi", "Sagami", "Owari", "Settsu", "Harima", "Bizen", "Tosa", "Iyo", "Chikuzen", "Dewa",
             "Mutsu", "Echigo", "Kaga", "Omi", "Yamashiro", "Suruga", "Kozuke", "Hitachi-no"]
NAME_INDUSTRY = ["Systems", "Denki", "Shoji", "Kogyo", "Logistics", "Software", "Pharma", "Foods",
                 "Kensetsu", "Seiki", "Tsushin", "Shinkin", "Sonpo", "Trading", "Motors", "Chemical",
                 "Electronics", "Networks", "Solutions", "Medical", "Retail", "Robotics", "Steel", "Textile",
                 "Energy", "Realty", "Consulting", "Printing", "Paper", "Data", "Unyu", "Gas", "Semicon",
                 "Optics", "Machinery", "Housing", "Travel", "Media", "Gakuen", "Clinic", "Agri", "Marine",
                 "Kasei", "Sangyo", "Tech"]
NAME_SUFFIX = ["K.K.", "Co., Ltd.", "Holdings", "Group", "Inc.", "Corporation", "Kogyo K.K.", "Ltd."]

SURNAMES = ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi",
            "Kato", "Yoshida", "Yamada", "Sasaki", "Yamaguchi", "Matsumoto", "Inoue", "Kimura", "Hayashi",
            "Shimizu", "Yamazaki", "Mori", "Abe", "Ikeda", "Hashimoto", "Yamashita", "Ishikawa", "Nakajima",
            "Maeda", "Fujita", "Ogawa", "Goto", "Okada", "Hasegawa", "Murakami", "Kondo", "Ishii", "Saito",
            "Sakamoto", "Endo", "Aoki", "Fujii", "Nishimura", "Fukuda", "Ota", "Miura", "Fujiwara", "Okamoto",
            "Matsuda", "Nakagawa", "Nakano", "Harada", "Ono", "Tamura", "Takeuchi", "Kaneko", "Wada",
            "Nakayama", "Ishida", "Ueda", "Morita", "Hara", "Shibata", "Sakai", "Kudo", "Yokoyama", "Miyazaki",
            "Miyamoto", "Uchida", "Takagi", "Ando", "Taniguchi", "Ohno", "Maruyama", "Imai", "Takada",
            "Fujimoto", "Takeda", "Murata", "Ueno", "Sugiyama", "Masuda", "Sugawara", "Hirano", "Otsuka",
            "Chiba", "Kubo", "Matsui", "Iwasaki", "Sakurai", "Kinoshita", "Noguchi", "Matsuo", "Nomura",
            "Kikuchi", "Sano", "Onishi", "Sugimoto", "Arai", "Hamada", "Ichikawa"]
GIVEN = ["Haruto", "Yuki", "Sota", "Yuto", "Riku", "Hinata", "Kaito", "Ren", "Daiki", "Takumi", "Shota",
         "Kenta", "Ryota", "Naoki", "Kazuki", "Hiroshi", "Takashi", "Kenji", "Makoto", "Satoshi", "Akira",
         "Tsubasa", "Yusuke", "Daisuke", "Shun", "Koji", "Masato", "Tomoya", "Yuma", "Sho", "Yui", "Aoi",
         "Hina", "Sakura", "Mei", "Rin", "Yuna", "Miyu", "Haruka", "Misaki", "Nanami", "Ayaka", "Mai",
         "Yuka", "Akiko", "Tomoko", "Naomi", "Emi", "Kana", "Saki", "Risa", "Mao", "Nao", "Chihiro", "Asuka",
         "Kaori", "Megumi", "Yoko", "Keiko", "Eri", "Mizuki", "Natsuki", "Honoka", "Ayumi", "Aya", "Shiori",
         "Rina", "Erika", "Kyoko", "Junko", "Takeshi", "Ryo", "Jun", "Hayato", "Itsuki", "Sora", "Minato",
         "Kei", "Yu", "Hikaru"]


# ---------------------------------------------------------------------------------------------- calendar

def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def extra_holidays() -> list[dt.date]:
    """Year-end closures (Dec 29-31, Jan 2-3) for 2024-2026; Jan 1 is a public holiday anyway."""
    out: list[dt.date] = []
    for year in (2024, 2025, 2026):
        out += [dt.date(year, 1, 2), dt.date(year, 1, 3)]
        out += [dt.date(year, 12, d) for d in (29, 30, 31)]
    return sorted(out)


# The demo's calendars, written into its sla.toml and used by the simulation alike (one source): the Tokyo
# office closes for lunch; the enterprise team is the APAC named-account desk in Singapore, on Singapore's hours
# and public holidays (it works through Golden Week and closes for Chinese New Year and Deepavali).
TOKYO = Calendar("Asia/Tokyo", (0, 1, 2, 3, 4), dt.time(9), dt.time(18), "JP", tuple(extra_holidays()),
                 ((dt.time(12), dt.time(13)),))
SINGAPORE = Calendar("Asia/Singapore", (0, 1, 2, 3, 4), dt.time(9), dt.time(18), "SG")
CALENDARS = (("singapore", SINGAPORE),)  # [calendars.NAME]
TEAM_CALENDARS = (("enterprise", "singapore"),)  # [teams]
BIZ_DAY_MIN = round(TOKYO.day_hours * 60)  # a Tokyo business day, lunch taken out (480 minutes)


def _to_s(local: dt.datetime) -> float:
    """Local wall-clock datetime -> internal seconds."""
    return (local - dt.datetime.combine(GRID_START, dt.time())).total_seconds()


@dataclass(frozen=True)
class _Calendar:
    """Day and minute tables of one SLA calendar over the grid (in Tokyo minutes): what is a business minute,
    which month a day is in."""

    days: list[dt.date]
    holiday: np.ndarray  # bool per grid day (the calendar's local days): public holiday or company closure
    workday: np.ndarray  # bool per grid day: a workday and not a holiday
    month_code: np.ndarray  # year*12 + month-1 per grid day
    cum: np.ndarray  # business minutes before each grid minute (Tokyo wall clock), length minutes+1
    day_min: float  # net business minutes of a day (breaks taken out)

    @classmethod
    def build(cls, calendar: Calendar = TOKYO) -> _Calendar:
        """The minute table of `calendar`: a local day's open minutes land on the Tokyo minutes of the same
        instants (each day's own UTC offset, so a calendar with DST shifts with it). Vectorised over days."""
        days = _days(GRID_START, GRID_END)
        off = holiday_names(calendar, GRID_START, GRID_END)
        holiday = np.array([d in off for d in days])
        workday = np.array([d.weekday() in calendar.workdays for d in days]) & ~holiday
        month_code = np.array([d.year * 12 + d.month - 1 for d in days], dtype=np.int64)
        minute_of_day = np.arange(1440)
        open_minute = np.zeros(1440, dtype=bool)
        for start, end in calendar.open_parts():
            open_minute |= (minute_of_day >= _clock_min(start)) & (minute_of_day < _clock_min(end))
        tz = calendar.tz
        # Tokyo minute = local minute + (Tokyo offset - local offset), the local offset taken at noon
        shift = np.array([round((JST.utcoffset(None) - dt.datetime.combine(d, dt.time(12), tz).utcoffset())
                                / dt.timedelta(minutes=1)) for d in days], dtype=np.int64)
        day_i, minute_i = np.nonzero(workday[:, None] & open_minute[None, :])
        at = day_i * 1440 + minute_i + shift[day_i]
        is_biz = np.zeros(len(days) * 1440, dtype=bool)
        is_biz[at[(at >= 0) & (at < is_biz.size)]] = True
        cum = np.zeros(is_biz.size + 1, dtype=np.int64)
        np.cumsum(is_biz, out=cum[1:])
        return cls(days, holiday, workday, month_code, cum, calendar.day_hours * 60.0)

    def biz_pos(self, t: np.ndarray) -> np.ndarray:
        """Business minutes from the grid origin to instant t (fractional inside an open minute)."""
        last = self.cum.size - 2
        minutes = np.minimum(t / 60.0, float(last + 1))  # inf (never) stays past the grid's end
        m = np.clip(np.floor(minutes).astype(np.int64), 0, last)
        inside = self.cum[m + 1] - self.cum[m]
        return self.cum[m] + inside * np.clip(minutes - m, 0.0, 1.0) + np.where(np.isfinite(t), 0.0, np.inf)

    def biz_add(self, t: np.ndarray, minutes: np.ndarray) -> np.ndarray:
        """The instant `minutes` business minutes after t (inf when past the grid): reps work office hours."""
        target = self.biz_pos(t) + minutes
        m = np.searchsorted(self.cum, target, side="right") - 1
        beyond = m >= self.cum.size - 1
        m = np.minimum(m, self.cum.size - 2)
        out = m * 60.0 + (target - self.cum[m]) * 60.0
        out[beyond] = np.inf
        return out


def _clock_min(t: dt.time) -> int:
    return t.hour * 60 + t.minute


@dataclass(frozen=True)
class _Clocks:
    """Business time on every team calendar: a rep works on his team's calendar ([0] is Tokyo's), so each
    handoff's simulated response counts the hours the review will count it on."""

    cals: tuple[_Calendar, ...]

    @classmethod
    def build(cls) -> _Clocks:
        return cls((_Calendar.build(TOKYO), *(_Calendar.build(c) for _, c in CALENDARS)))

    def add(self, t: np.ndarray, minutes: np.ndarray | float, which: np.ndarray) -> np.ndarray:
        """biz_add on each element's calendar (`which`: its index in cals)."""
        t = np.asarray(t, dtype=float)
        minutes = np.broadcast_to(np.asarray(minutes, dtype=float), t.shape)
        out = np.empty(t.shape)
        for k, cal in enumerate(self.cals):
            m = which == k
            out[m] = cal.biz_add(t[m], minutes[m])
        return out

    def pos(self, t: np.ndarray, which: np.ndarray) -> np.ndarray:
        """biz_pos on each element's calendar."""
        out = np.empty(np.shape(t))
        for k, cal in enumerate(self.cals):
            m = which == k
            out[m] = cal.biz_pos(t[m])
        return out

    def day_min(self, which: np.ndarray) -> np.ndarray:
        """Net business minutes of a day on each element's calendar."""
        return np.array([c.day_min for c in self.cals])[which]


# ------------------------------------------------------------------------------------------ global pools

@dataclass(frozen=True)
class _Pools:
    """Everything shared by all chunks: arrival curve, companies, reps, campaigns (seeded by seed only)."""

    cell_cum: np.ndarray  # cumulative arrival weight over (creation day, hour) cells
    cell_w: np.ndarray
    first_day: int  # grid index of CREATE_FIRST
    src_cum: np.ndarray  # per creation day, cumulative source probabilities
    comp_cum: np.ndarray  # cumulative company lead propensity
    comp_tier: np.ndarray
    comp_region: np.ndarray
    comp_fit: np.ndarray  # company-level fit offset
    comp_names: pa.Array
    camp_table: np.ndarray  # [source, quarter, slot] -> campaign vocabulary index or -1
    campaigns: pa.Array
    rep_ids: pa.Array
    rep_names: pa.Array
    rep_team: np.ndarray
    rep_speed: np.ndarray  # median first-response delay in business minutes
    rep_noresp: np.ndarray  # probability a handoff is never answered
    rep_diligence: np.ndarray  # binomial p for follow-up attempts
    rep_cal: np.ndarray  # the index in _Clocks.cals of the rep's team calendar
    team_members: list[np.ndarray]
    team_cum: list[np.ndarray]


def _arrival_weights(cal: _Calendar, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per creation day weight (weekday, holidays, seasonality, growth, noise, campaign spikes)."""
    first = (CREATE_FIRST - GRID_START).days
    last = (CREATE_LAST - GRID_START).days
    idx = np.arange(first, last + 1)
    days = [cal.days[i] for i in idx]
    n = idx.size
    dow = np.array([d.weekday() for d in days])
    month = np.array([d.month for d in days])
    md = np.array([d.month * 100 + d.day for d in days])
    w = np.where(cal.workday[idx], 1.0, np.where(dow == 5, 0.2, np.where(dow == 6, 0.17, 0.28)))
    w = np.where(cal.holiday[idx] & (dow < 5), 0.28, w)
    golden_week = (md >= 429) & (md <= 506)
    obon = (md >= 810) & (md <= 816)
    year_end = (md >= 1226) | (md <= 105)
    w *= np.where(golden_week, 0.7, 1.0) * np.where(obon, 0.55, 1.0) * np.where(year_end, 0.5, 1.0)
    month_factor = np.array([0, 1.0, 1.08, 1.05, 0.95, 1.0, 1.05, 1.0, 0.88, 1.05, 1.1, 1.08, 0.92])
    w *= month_factor[month]
    w *= 1.0 + 0.35 * np.arange(n) / (n - 1)  # mild growth over the two years
    w *= rng.gamma(16.0, 1.0 / 16.0, n)  # day-to-day noise
    spike = np.zeros(n, dtype=np.int64)  # 0 none, 1 webinar day, 2 event day
    candidates = np.flatnonzero(cal.workday[idx] & ~golden_week & ~obon & ~year_end)
    chosen = rng.choice(candidates, size=min(36, candidates.size), replace=False)
    spike[chosen] = rng.integers(1, 3, chosen.size)
    w[chosen] *= rng.uniform(1.5, 2.4, chosen.size)
    # source mix per day
    trend = np.arange(n) / (n - 1)
    p = np.tile(SRC_P, (n, 1))
    event_season = np.select([np.isin(month, [10, 11]), np.isin(month, [6, 7]), np.isin(month, [8, 12, 1])],
                             [1.8, 1.3, 0.45], 1.0)
    p[:, S_EVENT] *= event_season
    p[:, S_WEB] *= 0.8 + 0.5 * trend
    p[:, S_PS] *= 1.1 - 0.2 * trend
    off = ~cal.workday[idx]
    p[off, S_EVENT] *= 0.2
    p[off, S_WEB] *= 0.5
    p[off, S_ORG] *= 1.4
    p[off, S_EBOOK] *= 1.4
    p[spike == 1, S_WEB] *= 6.0
    p[spike == 2, S_EVENT] *= 8.0
    p /= p.sum(axis=1, keepdims=True)
    return w, np.cumsum(p, axis=1), cal.workday[idx]


def _hour_profiles() -> tuple[np.ndarray, np.ndarray]:
    """Arrivals by local hour: office hours dominate on workdays, evenings matter, nights are thin."""
    work = np.array([0.25, 0.2, 0.15, 0.15, 0.2, 0.3, 0.45, 0.8, 1.8, 4.5, 6.5, 6.5, 4.0, 6.0, 6.5, 6.5, 6.0,
                     5.0, 3.0, 2.2, 2.0, 1.8, 1.4, 0.8])
    off = np.array([0.5, 0.35, 0.25, 0.2, 0.2, 0.3, 0.5, 0.9, 1.4, 2.0, 2.6, 2.8, 2.6, 2.6, 2.7, 2.7, 2.6, 2.4,
                    2.2, 2.4, 2.6, 2.4, 1.8, 1.0])
    return work / work.sum(), off / off.sum()


def _campaign_table() -> tuple[np.ndarray, pa.Array]:
    """Campaign names per (source, calendar quarter); -1 slots mean no campaign recorded."""
    quarters = [(2024, 4)] + [(y, q) for y in (2025, 2026) for q in (1, 2, 3, 4)]
    topics = ["zero-trust", "cloud-cost", "ai-ops", "dx-roadmap", "sase", "backup", "itsm", "data-platform",
              "endpoint", "identity", "finops", "genai-governance"]
    events = {1: ["security-days", "dx-summit"], 2: ["it-week-spring", "cloud-expo"],
              3: ["ai-expo", "partner-summit"], 4: ["it-week-autumn", "dx-summit"]}
    vocab: dict[str, int] = {}

    def v(name: str | None) -> int:
        if name is None:
            return -1
        return vocab.setdefault(name, len(vocab))

    table = np.full((len(SOURCES), len(quarters), 4), -1, dtype=np.int64)
    for qi, (year, q) in enumerate(quarters):
        tag = f"{year}q{q}"
        t = [topics[(3 * qi + j) % len(topics)] for j in range(3)]
        table[S_WEB, qi] = [v(f"webinar-{tag}-{t[0]}"), v(f"webinar-{tag}-{t[1]}"), v(f"webinar-{tag}-{t[2]}"),
                            v(f"webinar-{tag}-{t[0]}")]
        e = events[q]
        table[S_EVENT, qi] = [v(f"{e[0]}-{year}"), v(f"{e[0]}-{year}"), v(f"{e[1]}-{year}"), -1]
        table[S_PS, qi] = [v("ps-brand"), v("ps-generic"), v("ps-competitor"), v("ps-generic")]
        table[S_ORG, qi] = [-1, -1, -1, v("seo-blog")]
        table[S_EBOOK, qi] = [v("ebook-zero-trust-guide"), v("ebook-cloud-cost"), v("ebook-dx-whitepaper"),
                              v(f"ebook-it-survey-{year}")]
        table[S_REF, qi] = [-1, -1, v("customer-referral"), v("customer-referral")]
        table[S_FORM, qi] = [-1, -1, -1, v("pricing-page")]
        table[S_PARTNER, qi] = [v("partner-reseller-a"), v("partner-si-b"), v("partner-msp-c"), -1]
    return table, pa.array(list(vocab), pa.string())


def _str_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """'L00000001'-style ids, vectorised in Arrow (no Python loop over rows)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def _names(rng: np.random.Generator, parts: list[list[str]], count: int, sep: str) -> pa.Array:
    """`count` names from the product of the word lists; distinct while the product allows it."""
    sizes = [len(p) for p in parts]
    total = int(np.prod(sizes))
    codes = rng.choice(total, size=count, replace=count > total)
    cols = []
    for size, words in zip(reversed(sizes), reversed(parts), strict=True):
        cols.append(pa.array(words, pa.string()).take(pa.array(codes % size)))
        codes = codes // size
    cols.reverse()
    return pc.utf8_trim_whitespace(pc.binary_join_element_wise(*cols, sep))


def _team_calendar_index() -> np.ndarray:
    """Per team (TEAMS order): its calendar's index in _Clocks.cals (0: Tokyo, a team not in [teams])."""
    names = [name for name, _ in CALENDARS]
    teams = dict(TEAM_CALENDARS)
    return np.array([names.index(teams[t]) + 1 if t in teams else 0 for t in TEAMS], dtype=np.int64)


def _build_pools(leads: int, seed: int, cal: _Calendar) -> _Pools:
    rng = np.random.default_rng([seed, 0])
    day_w, src_cum, workday = _arrival_weights(cal, rng)
    work_h, off_h = _hour_profiles()
    cell_w = (day_w[:, None] * np.where(workday[:, None], work_h[None, :], off_h[None, :])).ravel()
    # companies: lead propensity is heavy-tailed; big companies are more often tier A
    n_comp = int(min(max(300, leads // 4), len(NAME_PREFIX) * len(NAME_BASE) * len(NAME_INDUSTRY)
                     * len(NAME_SUFFIX)))
    size = rng.normal(0.0, 1.0, n_comp)
    tier_score = 0.8 * size + 0.6 * rng.normal(0.0, 1.0, n_comp)
    comp_tier = 3 - np.searchsorted(np.quantile(tier_score, [0.45, 0.78, 0.94]), tier_score)  # top 6% -> A
    comp_region = rng.choice(len(REGIONS), size=n_comp, p=REGION_P)
    comp_fit = rng.normal(0.0, 6.0, n_comp)
    comp_names = pc.binary_join_element_wise(
        _names(rng, [NAME_PREFIX, NAME_BASE], n_comp, ""),
        _names(rng, [NAME_INDUSTRY, NAME_SUFFIX], n_comp, " "), " ")
    comp_cum = np.cumsum(np.exp(0.9 * size))
    camp_table, campaigns = _campaign_table()
    # reps: teams, speed, reliability, diligence, load
    n_reps = max(12, leads // 2500)
    counts = np.maximum(2, np.round(TEAM_SHARE * n_reps).astype(np.int64))
    counts[1] = n_reps - counts[0] - counts[2]
    rep_team = np.repeat(np.arange(len(TEAMS)), counts)
    rep_speed = np.exp(rng.normal(np.log(60.0), 0.9, n_reps)) * np.where(rep_team == 0, 1.3, 1.0)
    rep_noresp = np.clip(0.042 * np.exp(rng.normal(0.0, 0.6, n_reps)), 0.005, 0.25)
    rep_diligence = rng.beta(4.0, 4.0, n_reps)
    load = np.exp(rng.normal(0.0, 0.35, n_reps))
    members = [np.flatnonzero(rep_team == k) for k in range(len(TEAMS))]
    width = max(3, len(str(n_reps)))
    return _Pools(
        cell_cum=np.cumsum(cell_w), cell_w=cell_w, first_day=(CREATE_FIRST - GRID_START).days, src_cum=src_cum,
        comp_cum=comp_cum, comp_tier=comp_tier, comp_region=comp_region, comp_fit=comp_fit,
        comp_names=comp_names, camp_table=camp_table, campaigns=campaigns,
        rep_ids=_str_ids("r", np.arange(1, n_reps + 1), width),
        rep_names=_names(rng, [SURNAMES, GIVEN], n_reps, " "), rep_team=rep_team, rep_speed=rep_speed,
        rep_noresp=rep_noresp, rep_diligence=rep_diligence, rep_cal=_team_calendar_index()[rep_team],
        team_members=members,
        team_cum=[np.cumsum(load[m]) for m in members])


# ------------------------------------------------------------------------------------------ per chunk

def _pick(rng: np.random.Generator, cum: np.ndarray) -> np.ndarray:
    """Row-wise categorical draw from cumulative probabilities (n x K), vectorised."""
    u = rng.random(cum.shape[0]) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), cum.shape[1] - 1)


def _pick_w(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    return _pick(rng, np.cumsum(weights, axis=1))


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return np.exp(rng.normal(np.log(median), sigma, n))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class _Events:
    """Column buffers for one chunk's stage events."""

    lead: list[np.ndarray]
    stage: list[np.ndarray]
    time: list[np.ndarray]
    reason: list[np.ndarray]
    actor: list[np.ndarray]

    def add(self, idx: np.ndarray, stage: int, time: np.ndarray, reason: np.ndarray | int = -1,
            actor: np.ndarray | int = -1) -> None:
        n = idx.size
        self.lead.append(idx)
        self.stage.append(np.full(n, stage, dtype=np.int64))
        self.time.append(time)
        self.reason.append(np.broadcast_to(np.asarray(reason, dtype=np.int64), (n,)))
        self.actor.append(np.broadcast_to(np.asarray(actor, dtype=np.int64), (n,)))


def _chunk(k: int, lo: int, hi: int, leads: int, seed: int, clocks: _Clocks, pools: _Pools,
           cutoff_s: float, v2_s: float) -> dict:
    """Generate leads [lo, hi): returns numpy columns for the three tables plus handoff times. Marketing ops
    and the system work on Tokyo's calendar; a rep's steps on his team's."""
    cal = clocks.cals[0]
    rng = np.random.default_rng([seed, 1, k])
    n = hi - lo
    n_reps = pools.rep_team.size
    actor_system, actor_mops = n_reps, n_reps + 1

    # arrivals: stratified over the (day, hour) arrival curve, so lead ids are chronological
    u = (np.arange(lo, hi) + rng.random(n)) / leads * pools.cell_cum[-1]
    cell = np.minimum(np.searchsorted(pools.cell_cum, u, side="right"), pools.cell_cum.size - 1)
    before = pools.cell_cum[cell] - pools.cell_w[cell]
    frac = np.clip((u - before) / pools.cell_w[cell], 0.0, 0.999999)
    cday, hour = np.divmod(cell, 24)
    created = np.floor(((pools.first_day + cday) * 24 + hour + frac) * 3600.0)

    # who: company (tier, region), source, campaign, persona
    comp = np.minimum(np.searchsorted(pools.comp_cum, rng.random(n) * pools.comp_cum[-1]),
                      pools.comp_cum.size - 1)
    tier = pools.comp_tier[comp]
    region = pools.comp_region[comp]
    src = _pick(rng, pools.src_cum[cday])
    month_code = cal.month_code[pools.first_day + cday]
    quarter = (month_code - (2024 * 12 + 9)) // 3  # 2024q4 -> 0
    campaign = pools.camp_table[src, quarter, rng.integers(0, 4, n)]
    persona = _pick_w(rng, PERSONA_P[None, :] * PERSONA_BY_TIER[tier])
    persona_known = rng.random(n) >= PERSONA_MISSING

    # hand-raisers (contact form, some referrals) ask for contact: high engagement, no inquiry stage
    hr = ((src == S_FORM) & (rng.random(n) < 0.22)) | ((src == S_REF) & (rng.random(n) < 0.08))
    fit = TIER_FIT[tier] + PERSONA_FIT[persona] + pools.comp_fit[comp] + rng.normal(0.0, 10.0, n)
    eng = SRC_ENG[src] + 0.15 * (fit - 55.0) + rng.normal(0.0, 14.0, n) + np.where(hr, 18.0, 0.0)
    fit = np.clip(np.rint(fit), 0, 100).astype(np.int16)
    eng = np.clip(np.rint(eng), 0, 100).astype(np.int16)
    v2 = created >= v2_s
    score = 0.5 * fit + 0.5 * eng  # both versions weigh 0.5/0.5
    thr = np.where(v2, 65.0, 60.0)

    ev = _Events([], [], [], [], [])
    all_idx = np.arange(n)
    ev.add(all_idx[~hr], INQ, created[~hr])

    # handoff: instant MQL at or above threshold; some below handed anyway; some nurtured into MQL later
    above = score >= thr
    p_anyway = np.where(tier == 0, 0.10, 0.035)
    r_anyway, r_nurture = rng.random(n), rng.random(n)
    anyway = ~above & ~hr & (r_anyway < p_anyway)
    nurture = ~above & ~hr & ~anyway & (r_nurture < 0.01 + 0.1 * _sigmoid((score - thr + 5.0) / 3.0))
    instant = above & ~hr
    hr_sal = hr & (rng.random(n) < 0.45)
    mql_t = np.full(n, np.inf)
    mql_t[instant] = created[instant] + 60.0 * np.minimum(_lognormal(rng, 12.0, 0.9, n)[instant], 180.0) + 1
    mql_t[anyway] = cal.biz_add(created[anyway], rng.uniform(20.0, 1200.0, int(anyway.sum())))
    delay_days = rng.uniform(3.0, 60.0, n)
    mql_t[nurture] = created[nurture] + np.floor(delay_days[nurture] * DAY_S)
    mql_t[hr & ~hr_sal] = created[hr & ~hr_sal]
    handed = instant | anyway | nurture | hr
    h = np.where(hr_sal, created, mql_t)
    for mask, actor in ((instant | nurture | (hr & ~hr_sal), actor_system), (anyway, actor_mops)):
        ev.add(all_idx[mask], MQL, mql_t[mask], actor=actor)

    # routing: enterprise for tier A, else by region; reps weighted by load
    team = np.where(tier == 0, 0, np.where(EAST_REGIONS[region], 1, 2))
    rep = np.full(n, -1, dtype=np.int64)
    r_rep = rng.random(n)
    for t in range(len(TEAMS)):
        m = handed & (team == t)
        cum = pools.team_cum[t]
        pos = np.minimum(np.searchsorted(cum, r_rep[m] * cum[-1]), cum.size - 1)
        rep[m] = pools.team_members[t][pos]
    ev.add(all_idx[hr_sal], SAL, created[hr_sal], actor=rep[hr_sal])

    # first response in business time, per-rep speed; some handoffs are never answered
    safe_rep = np.maximum(rep, 0)
    noresp = handed & (rng.random(n) < pools.rep_noresp[safe_rep])
    responded = handed & ~noresp
    first_delay = pools.rep_speed[safe_rep] * _lognormal(rng, 1.0, 1.0, n) * np.where(hr, 0.5, 1.0)
    first = np.full(n, np.inf)
    on = pools.rep_cal[safe_rep]  # each lead's owner's calendar
    first[responded] = clocks.add(h[responded], np.maximum(first_delay[responded], 1.0), on[responded])

    # outcome: true conversion rises with the score (logistic); source and persona matter too
    logit = (-1.2 + 0.095 * (score - 65.0) + SRC_LOGIT[src] + PERSONA_LOGIT[persona]
             + np.where(hr, 0.5, 0.0) + np.where(nurture, -0.2, 0.0) + rng.normal(0.0, 0.5, n))
    will_sql = responded & (rng.random(n) < _sigmoid(logit))
    rel = np.clip(score - 60.0, -30.0, 30.0)
    w_other = np.column_stack([0.62 * np.exp(0.03 * rel),  # accepted, goes nowhere (yet)
                               0.24 * np.exp(-0.05 * rel) * np.where(anyway, 1.6, 1.0) * np.where(hr_sal, 0, 1),
                               0.10 * np.ones(n), 0.04 * np.ones(n)])
    other = _pick_w(rng, w_other)  # 0 sal, 1 rejected, 2 recycled, 3 disqualified
    decided = responded & ~will_sql
    t_dec = clocks.add(first, _lognormal(rng, 300.0, 1.0, n), on)
    terminal = np.full(n, np.inf)  # when sales stops following up

    sal_m = ((will_sql | (decided & (other == 0))) & ~hr_sal)
    direct_sql = will_sql & ~hr_sal & (rng.random(n) < 0.12)  # skip sal: straight to sql
    sal_m &= ~direct_sql
    ev.add(all_idx[sal_m], SAL, t_dec[sal_m], actor=rep[sal_m])

    rej = decided & (other == 1)
    rw = np.column_stack([np.full(n, 0.25), 0.18 * np.where(persona == 2, 2.0, 1.0),
                          0.18 * np.where(fit < 50, 2.0, 1.0), np.full(n, 0.08), np.full(n, 0.14),
                          np.full(n, 0.04), np.full(n, 0.06)])
    rej_reason = _pick_w(rng, rw)
    rej_code = np.array([R_IDX[r] for r in REJECT_REASONS] + [-1])[rej_reason]
    ev.add(all_idx[rej], REJ, t_dec[rej], reason=rej_code[rej], actor=rep[rej])
    terminal[rej] = t_dec[rej]

    rec_code = np.array([R_IDX["timing"], R_IDX["nurture"], -1])[rng.choice(3, n, p=[0.5, 0.4, 0.1])]
    rec = decided & (other == 2)
    ev.add(all_idx[rec], REC, t_dec[rec], reason=rec_code[rec], actor=rep[rec])
    terminal[rec] = t_dec[rec]
    dq_code = np.array([R_IDX[r] for r in DQ_REASONS])[rng.choice(4, n, p=[0.2, 0.3, 0.3, 0.2])]
    dq = decided & (other == 3)
    ev.add(all_idx[dq], DQ, t_dec[dq], reason=dq_code[dq], actor=rep[dq])
    terminal[dq] = t_dec[dq]

    # accepted but not converting: some recycled for timing later, a few disqualified
    stay = decided & (other == 0)
    r_stay = rng.random(n)
    later = clocks.add(t_dec, rng.uniform(5.0, 40.0, n) * clocks.day_min(on), on)
    late_rec = stay & (r_stay < 0.2)
    ev.add(all_idx[late_rec], REC, later[late_rec], reason=R_IDX["timing"], actor=rep[late_rec])
    late_dq = stay & (r_stay >= 0.2) & (r_stay < 0.24)
    ev.add(all_idx[late_dq], DQ, later[late_dq], reason=dq_code[late_dq], actor=rep[late_dq])
    terminal[stay] = later[stay]

    # never answered: the system recycles part of them to nurture after a few weeks
    nr_rec = noresp & (rng.random(n) < 0.35)
    t_nr = cal.biz_add(h, rng.uniform(15.0, 45.0, n) * BIZ_DAY_MIN)
    ev.add(all_idx[nr_rec], REC, t_nr[nr_rec], reason=R_IDX["nurture"], actor=actor_system)

    # sql -> opportunity -> won/lost
    sql_base = np.where(direct_sql | hr_sal, first, t_dec)
    t_sql = clocks.add(sql_base, _lognormal(rng, 2400.0, 0.8, n), on)
    ev.add(all_idx[will_sql], SQL, t_sql[will_sql], actor=rep[will_sql])
    terminal[will_sql] = t_sql[will_sql]
    r_opp, r_close = rng.random(n), rng.random(n)
    lost_code = np.array([R_IDX[r] for r in LOST_REASONS])[rng.choice(4, n, p=[0.3, 0.3, 0.25, 0.15])]
    opp = will_sql & (r_opp < 0.65)
    sql_lost = will_sql & (r_opp >= 0.65) & (r_opp < 0.85)
    day = clocks.day_min(on)
    t_opp = clocks.add(t_sql, _lognormal(rng, 5.0, 0.6, n) * day, on)
    t_sql_lost = clocks.add(t_sql, _lognormal(rng, 15.0, 0.6, n) * day, on)
    ev.add(all_idx[opp], OPP, t_opp[opp], actor=rep[opp])
    ev.add(all_idx[sql_lost], LOST, t_sql_lost[sql_lost], reason=lost_code[sql_lost], actor=rep[sql_lost])
    won = opp & (r_close < 0.35)
    opp_lost = opp & (r_close >= 0.35) & (r_close < 0.8)
    t_won = clocks.add(t_opp, _lognormal(rng, 30.0, 0.45, n) * day, on)
    t_opp_lost = clocks.add(t_opp, _lognormal(rng, 25.0, 0.7, n) * day, on)
    ev.add(all_idx[won], WON, t_won[won], actor=rep[won])
    ev.add(all_idx[opp_lost], LOST, t_opp_lost[opp_lost], reason=lost_code[opp_lost], actor=rep[opp_lost])

    # marketing ops throws out some never-handed junk
    junk = ~handed & (rng.random(n) < 0.012)
    t_junk = cal.biz_add(created, rng.uniform(60.0, 4000.0, n))
    junk_code = np.array([R_IDX[r] for r in DQ_REASONS])[rng.choice(4, n, p=[0.45, 0.3, 0.1, 0.15])]
    ev.add(all_idx[junk], DQ, t_junk[junk], reason=junk_code[junk], actor=actor_mops)

    acts = _activities(rng, clocks, on, n, responded, first, created, h, rep, pools, terminal, will_sql, t_sql)
    owner = np.where(handed & (h <= cutoff_s), rep, -1)
    return {
        "n": n, "created": created, "src": src, "campaign": campaign, "persona": persona,
        "persona_known": persona_known, "tier": tier, "region": region, "comp": comp, "fit": fit,
        "eng": eng, "owner": owner, "events": ev, "acts": acts, "handoff": h,
    }


def _activities(rng: np.random.Generator, clocks: _Clocks, on: np.ndarray, n: int, responded: np.ndarray,
                first: np.ndarray, created: np.ndarray, h: np.ndarray, rep: np.ndarray, pools: _Pools,
                terminal: np.ndarray, will_sql: np.ndarray, t_sql: np.ndarray) -> dict[str, np.ndarray]:
    """Sales responses: 1-6 attempts from the first response on, a meeting at SQL, a few before handoff."""
    safe_rep = np.maximum(rep, 0)
    # a rep plans for his team's tiers: tier A (the enterprise desk's) asks 4 attempts, the rest 3
    tries = np.where(pools.rep_team[safe_rep] == 0, 6, 5)
    attempts = np.where(responded, 1 + rng.binomial(tries, pools.rep_diligence[safe_rep]), 0)
    lead = np.repeat(np.arange(n), attempts)
    starts = np.cumsum(attempts) - attempts
    j = np.arange(lead.size) - np.repeat(starts, attempts)  # attempt number within the lead
    gaps = np.where(j == 0, 0.0, np.maximum(_lognormal(rng, 420.0, 0.9, lead.size), 20.0))
    cum_gap = np.cumsum(gaps)
    cum_gap -= np.repeat(cum_gap[starts[attempts > 0]], attempts[attempts > 0])
    t = clocks.add(first[lead], cum_gap, on[lead])
    t[j == 0] = first[lead][j == 0]
    keep = (j == 0) | (t <= terminal[lead])
    lead, j, t = lead[keep], j[keep], t[keep]
    m = lead.size
    channel = np.where(rng.random(m) < np.where(j == 0, 0.55, 0.5), CH_PHONE,
                       np.where(rng.random(m) < 0.95, CH_EMAIL, CH_OTHER))
    phone_out = rng.choice([O_CONN, O_NOANS, O_VM], size=m, p=[0.3, 0.45, 0.25])
    email_out = np.where(rng.random(m) < 0.3, O_REPLIED, -1)
    outcome = np.select([channel == CH_PHONE, channel == CH_EMAIL], [phone_out, email_out], -1)
    # the last attempt before an SQL booked the meeting
    before_sql = will_sql[lead] & (t < t_sql[lead])
    nxt_same = np.zeros(m, dtype=bool)
    nxt_same[:-1] = (lead[1:] == lead[:-1]) & before_sql[1:]
    outcome[before_sql & ~nxt_same] = O_BOOKED
    # meeting at the SQL, and a few touches before the handoff (the metrics must ignore them)
    sq = np.flatnonzero(will_sql)
    # pre-handoff touches happen in office hours between creation and handoff (e.g. a rep saw the form)
    room = clocks.pos(h, on) - clocks.pos(created, on)
    r_pre = rng.random(n)
    pre = np.flatnonzero(np.isfinite(h) & (rep >= 0) & (room >= 5.0) & (r_pre < 0.03))
    pre_t = np.minimum(clocks.add(created[pre], room[pre] * rng.uniform(0.1, 0.9, pre.size), on[pre]),
                       h[pre] - 60.0)
    lead = np.concatenate([lead, sq, pre])
    t = np.concatenate([t, t_sql[sq], pre_t])
    channel = np.concatenate([channel, np.full(sq.size, CH_MEETING), np.full(pre.size, CH_PHONE)])
    outcome = np.concatenate([outcome, np.full(sq.size, O_CONN),
                              rng.choice([O_NOANS, O_CONN], size=pre.size, p=[0.7, 0.3])])
    return {"lead": lead, "time": np.floor(t), "channel": channel, "outcome": outcome, "rep": rep[lead]}


# --------------------------------------------------------------------------------------------- writing

def _schemas() -> dict[str, pa.Schema]:
    s = pa.string()
    return {
        "leads": pa.schema([("lead_id", s), ("created_at", TS), ("source", s), ("campaign", s),
                            ("persona", s), ("icp_tier", s), ("region", s), ("company", s),
                            ("fit_score", pa.int16()), ("engagement_score", pa.int16()), ("owner_id", s)]),
        "stage_events": pa.schema([("lead_id", s), ("stage", s), ("entered_at", TS), ("reason", s),
                                   ("actor_id", s)]),
        "activities": pa.schema([("lead_id", s), ("rep_id", s), ("occurred_at", TS), ("channel", s),
                                 ("outcome", s)]),
        "reps": pa.schema([("rep_id", s), ("name", s), ("team", s)]),
    }


def _take(vocab: pa.Array, codes: np.ndarray) -> pa.Array:
    """Vocabulary lookup; code -1 becomes null."""
    codes = np.asarray(codes, dtype=np.int64)
    return vocab.take(pa.array(codes, pa.int64(), mask=codes < 0))


def _ts(t: np.ndarray, origin_us: int) -> pa.Array:
    return pa.array(np.floor(t).astype(np.int64) * 1_000_000 + origin_us, TS)


def _vocab(words: list[str]) -> pa.Array:
    return pa.array(words, pa.string())


def _nice(x: float) -> int:
    """A round commitment near x, as a person would write it (7 -> 7, 63 -> 65, 738 -> 740, 14873 -> 15000)."""
    if x < 20:
        return max(1, round(x))
    step = max(5, 5 * 10 ** (len(str(int(x))) - 3))
    return int(round(x / step) * step)


def sla_config(commit_v1: int, commit_v2: int) -> SlaConfig:
    """The demo's SLA. v1 (Nov 2024): tier-A contact requests within 1 h (4 attempts in 3 days), other tier-A
    accounts within 2 h (4 attempts), the rest within 2 h. v2 (the spring 2026 review) raised the MQL bar and
    traded a looser target for the long tail (4 h) against one for every contact request (2 h), keeping tier A's.
    Tier A is the enterprise team's (routing), which works on Singapore's calendar."""
    tier_a_form = Tier("Tier A contact requests", (("source", ("contact-form",)), ("icp_tier", ("A",))),
                       response_target_hours=1.0, min_attempts=4, attempt_window_business_days=3.0)
    tier_a = Tier("Tier A accounts", (("icp_tier", ("A",)),), response_target_hours=2.0, min_attempts=4)
    forms = Tier("Contact requests", (("source", ("contact-form",)),), response_target_hours=2.0)
    common = {"fit_weight": 0.5, "engagement_weight": 0.5, "handoff_stage": "mql", "min_attempts": 3,
              "attempt_window_business_days": 5.0}
    v1 = SlaVersion("v1", CREATE_FIRST, mql_threshold=60.0, response_target_hours=2.0,
                    monthly_mql_commitment=float(commit_v1), mql_to_sql_target=0.3, tiers=(tier_a_form, tier_a),
                    **common)
    v2 = SlaVersion("v2", V2_FROM, mql_threshold=65.0, response_target_hours=4.0,
                    monthly_mql_commitment=float(commit_v2), mql_to_sql_target=0.35,
                    tiers=(tier_a_form, tier_a, forms), **common)
    return SlaConfig(TOKYO, (v1, v2), CALENDARS, TEAM_CALENDARS)


def _sla_toml(commit_v1: int, commit_v2: int) -> str:
    return ("# Demo SLA written by sla_review/ingest/demo.py: v2 raised the MQL bar and re-tiered the response\n"
            "# targets after the spring 2026 review; the enterprise team works from Singapore.\n"
            + to_toml(sla_config(commit_v1, commit_v2)))


def generate(out_dir: Path, leads: int = 50_000, seed: int = 7) -> dict:
    """Write leads.parquet, stage_events.parquet, activities.parquet, reps.parquet and sla.toml
    (the canonical import format of DOMAIN.md) into out_dir; return a small summary dict of row counts."""
    if leads < 1:
        raise ValueError("leads must be >= 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    clocks = _Clocks.build()
    cal = clocks.cals[0]
    pools = _build_pools(leads, seed, cal)
    origin_us = int(dt.datetime.combine(GRID_START, dt.time(), JST).timestamp()) * 1_000_000
    cutoff_s = _to_s(CUTOFF)
    v2_s = _to_s(dt.datetime.combine(V2_FROM, dt.time()))
    schemas = _schemas()
    v = {name: _vocab(words) for name, words in
         (("src", SOURCES), ("persona", PERSONAS), ("tier", TIERS), ("region", REGIONS), ("stage", STAGES),
          ("reason", REASONS), ("channel", CHANNELS), ("outcome", OUTCOMES))}
    actors = pa.concat_arrays([pools.rep_ids, _vocab(["system", "mops"])])
    rows = {"leads": 0, "stage_events": 0, "activities": 0}
    month0 = cal.month_code[0]
    mql_months = np.zeros(int(cal.month_code[-1] - month0) + 1, dtype=np.int64)
    width = max(8, len(str(leads)))
    writers = {name: pq.ParquetWriter(out_dir / f"{name}.parquet", schemas[name], compression="zstd")
               for name in rows}
    try:
        for k, lo in enumerate(range(0, leads, CHUNK)):
            hi = min(lo + CHUNK, leads)
            c = _chunk(k, lo, hi, leads, seed, clocks, pools, cutoff_s, v2_s)
            lead_ids = _str_ids("L", np.arange(lo + 1, hi + 1), width)
            persona = np.where(c["persona_known"], c["persona"], -1)
            writers["leads"].write_table(pa.table([
                lead_ids, _ts(c["created"], origin_us), _take(v["src"], c["src"]),
                _take(pools.campaigns, c["campaign"]), _take(v["persona"], persona), _take(v["tier"], c["tier"]),
                _take(v["region"], c["region"]), pools.comp_names.take(pa.array(c["comp"])),
                pa.array(c["fit"], pa.int16()), pa.array(c["eng"], pa.int16()), _take(actors, c["owner"]),
            ], schema=schemas["leads"]))
            ev: _Events = c["events"]
            e_lead, e_stage, e_time = (np.concatenate(ev.lead), np.concatenate(ev.stage), np.concatenate(ev.time))
            e_reason, e_actor = np.concatenate(ev.reason), np.concatenate(ev.actor)
            keep = e_time <= cutoff_s
            order = np.lexsort((e_stage[keep], e_time[keep], e_lead[keep]))
            sel = np.flatnonzero(keep)[order]
            rows["stage_events"] += sel.size
            writers["stage_events"].write_table(pa.table([
                lead_ids.take(pa.array(e_lead[sel])), _take(v["stage"], e_stage[sel]), _ts(e_time[sel], origin_us),
                _take(v["reason"], e_reason[sel]), _take(actors, e_actor[sel]),
            ], schema=schemas["stage_events"]))
            a = c["acts"]
            keep = a["time"] <= cutoff_s
            order = np.lexsort((a["time"][keep], a["lead"][keep]))
            sel = np.flatnonzero(keep)[order]
            writers["activities"].write_table(pa.table([
                lead_ids.take(pa.array(a["lead"][sel])), _take(actors, a["rep"][sel]),
                _ts(a["time"][sel], origin_us), _take(v["channel"], a["channel"][sel]),
                _take(v["outcome"], a["outcome"][sel]),
            ], schema=schemas["activities"]))
            h = c["handoff"]
            h = h[h <= cutoff_s]
            mql_months += np.bincount(cal.month_code[(h // DAY_S).astype(np.int64)] - month0,
                                      minlength=mql_months.size)
            rows["leads"] += c["n"]
            rows["activities"] += sel.size
    finally:
        for w in writers.values():
            w.close()
    reps = pa.table([pools.rep_ids, pools.rep_names, _take(_vocab(TEAMS), pools.rep_team)], schema=schemas["reps"])
    pq.write_table(reps, out_dir / "reps.parquet", compression="zstd")
    rows["reps"] = reps.num_rows

    def month_index(d: dt.date) -> int:
        return d.year * 12 + d.month - 1 - int(month0)

    v1 = mql_months[month_index(CREATE_FIRST):month_index(V2_FROM)]
    v2 = mql_months[month_index(V2_FROM):month_index(CREATE_LAST) + 1]
    commitment = {"v1": _nice(float(np.median(v1))), "v2": _nice(float(np.median(v2)))}
    (out_dir / "sla.toml").write_text(_sla_toml(commitment["v1"], commitment["v2"]), encoding="utf-8")
    return {**rows, "monthly_mql_commitment": commitment}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write deterministic demo data in the canonical format.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--leads", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(json.dumps(generate(args.out_dir, args.leads, args.seed)))


if __name__ == "__main__":
    main()
