"""`python -m sla_review ...`: import, report, demo (and the commands later issues add)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import duckdb

from sla_review.present import catalogue, formats
from sla_review.store import scratch
from sla_review.store.db import MigrationError, connect, resolve_db_path


def _m(key: str, **values: object) -> str:
    """A message of the command line (locales/en.toml [cli]; the CLI speaks English)."""
    return catalogue.t(f"cli.{key}", "en", **values)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_m("bad_date", text=text)) from None


def _thresholds(text: str) -> list[float]:
    try:
        return [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(_m("bad_thresholds", text=text)) from None


def cmd_import(args: argparse.Namespace) -> int:
    from sla_review.ingest.importer import ImportFailed, import_dir

    con = connect(resolve_db_path(args.db))
    started = time.perf_counter()
    had_terms = bool(con.execute("SELECT count(*) FROM sla_versions").fetchall()[0][0])
    args.sla_from_files = False  # set when the files themselves hold an sla.toml (_import_recognised, a folder's)
    try:
        if args.mapping:
            from sla_review.ingest.byod import import_mapped

            summary = import_mapped(con, Path(args.mapping), [Path(p) for p in args.paths], mode=args.mode,
                                    sla_path=Path(args.sla) if args.sla else None,
                                    replace_with_empty=args.replace_with_empty,
                                    leave_out=args.leave_out_problem_rows)
        elif len(args.paths) == 1 and Path(args.paths[0]).is_dir() and args.leave_out_problem_rows:
            # leaving rows out takes the Data page's path: the folder's canonical files and sla.toml, recognised
            from sla_review.ingest.importer import find_files

            folder = Path(args.paths[0])
            args.paths = [str(p) for p in find_files(folder).values()] + (
                [str(folder / "sla.toml")] if (folder / "sla.toml").is_file() else [])
            summary = _import_recognised(con, args)
            if summary is None:
                return 2
        elif len(args.paths) == 1 and Path(args.paths[0]).is_dir():
            args.sla_from_files = (Path(args.paths[0]) / "sla.toml").exists()
            summary = import_dir(con, args.paths[0], mode=args.mode, replace_with_empty=args.replace_with_empty)
        elif any(Path(p).is_dir() for p in args.paths):
            print(_m("one_folder"), file=sys.stderr)
            return 2
        else:
            summary = _import_recognised(con, args)
            if summary is None:
                return 2
        record_cli_import(con, summary.import_id, args)
        note = None if args.sla or args.sla_from_files else terms_note(con, kept=had_terms)
    except ImportFailed as err:
        print(err, file=sys.stderr)
        if err.leavable:  # every problem is about rows: the import could go on without them, if asked by name
            print(_m("leave_out_hint", n=formats.integer(err.leavable)), file=sys.stderr)
        return 2
    finally:
        con.close()
    rows = ", ".join(f"{formats.integer(n)} {t}" for t, n in summary.rows.items())
    print(_m("imported", rows=rows, seconds=formats.number(time.perf_counter() - started), id=summary.import_id))
    print_left_out(summary)
    if note:
        print(note)
    print_future_rows(summary)
    return 0


LEFT_OUT_SHOWN = 20


def print_left_out(summary) -> None:
    """The rows the import left out because --leave-out-problem-rows asked: how many, then each (file, row,
    column, value, reason), the first LEFT_OUT_SHOWN of them; all are in the import_left_out table."""
    left = summary.left_out
    if not summary.left_out_rows or left is None:
        return
    print(_m("left_out", n=formats.integer(summary.left_out_rows), id=summary.import_id))
    from sla_review.core.problems import Problem

    for file, row, column, value, reason in left.head(LEFT_OUT_SHOWN).select(
            "file", "row", "column", "value", "reason_en").iter_rows():
        print(f"  - {Problem(file, row, column, value, reason)}")
    if left.height > LEFT_OUT_SHOWN:
        print(f"  - {_m('left_out_more', n=formats.integer(left.height - LEFT_OUT_SHOWN))}")


def record_cli_import(con: duckdb.DuckDBPyConnection, import_id: int, args: argparse.Namespace) -> None:
    """The import's audit row, right after it committed: the operating-system user (the command line has no
    sign-in) and every file given (a folder's files), with its size and SHA-256."""
    import getpass

    from sla_review.ingest import audit

    given = [Path(p) for p in (*args.paths, args.mapping, args.sla) if p]
    files = [f for p in given for f in (sorted(x for x in p.iterdir() if x.is_file()) if p.is_dir() else [p])]
    audit.write(con, import_id, audit.Record("command_line", getpass.getuser(),
                                             tuple(audit.digest(f) for f in files if f.is_file())))


def terms_note(con: duckdb.DuckDBPyConnection, *, kept: bool) -> str:
    """What judged an import given no --sla (issue 10): the database's terms, kept, or the template's, applied,
    every value named (the terms now stored), and how to give one's own."""
    from sla_review.ingest.byod import SLA_TEMPLATE
    from sla_review.ingest.importer import stored_config
    from sla_review.present.coverage_text import terms_sentence

    terms = terms_sentence(stored_config(con), "en")
    return _m("terms_kept", terms=terms) if kept else _m("terms_template", terms=terms, template=SLA_TEMPLATE)


def _import_recognised(con: duckdb.DuckDBPyConnection, args: argparse.Namespace):
    """CRM exports without --mapping: read them and recognise the layout exactly as the Data page does (its
    receive_paths and the same mapping.detect call), say which preset fits (or why none does: the files and the
    headers seen), then map and import. None (exit code 2) when nothing fits; ImportFailed when the files or the
    mapped rows are refused."""
    from sla_review.ingest import data_flow
    from sla_review.ingest.byod import sla_text_for
    from sla_review.ingest.importer import ImportFailed
    from sla_review.ingest.mapping import PRESETS_DIR, presets
    from sla_review.ingest.readers import FILE_COL, ROW_COL

    paths = [Path(p) for p in args.paths]
    batch = data_flow.receive_paths(paths)
    if batch.problems:
        raise ImportFailed(batch.problems)
    mapping = next(iter(batch.mappings.values())) if len(batch.mappings) == 1 else batch.detected
    if mapping is None or not batch.frames:
        def headers(frame) -> str:
            names = [c for c in frame.columns if c not in (FILE_COL, ROW_COL)]
            return ", ".join(names[:25]) + (f", … ({len(names)})" if len(names) > 25 else "")
        seen = "; ".join(f"{name} ({headers(frame)})" for name, frame in batch.frames.items()) or ", ".join(
            p.name for p in paths)
        known = ", ".join(m.name for m in presets().values())
        print(_m("not_recognised", files=seen, known=known, folder=PRESETS_DIR), file=sys.stderr)
        return None
    stem = data_flow.builtin_key(mapping)
    if batch.mappings:
        print(_m("mapping_given", name=mapping.name, file=next(iter(batch.mappings))))
    else:
        where = PRESETS_DIR / f"{stem}.toml" if stem and stem != "canonical" else None
        print(_m("recognised", name=mapping.name, files=", ".join(batch.frames),
                 preset=f" ({where})" if where else ""))
    given = Path(args.sla) if args.sla else None
    args.sla_from_files = bool(batch.sla_texts)
    sla_text = sla_text_for(con, given) if given or not batch.sla_texts else next(iter(batch.sla_texts.values()))
    # the Data page's checks and import (data_flow.check_and_import): every problem in one pass, the same list
    result = data_flow.preview(batch.frames, mapping, sla=sla_text, mode=args.mode, con=con,
                               replace_with_empty=args.replace_with_empty, leave_out=args.leave_out_problem_rows)
    for warning in result.warnings[:20]:
        print(f"  - {warning}")
    if len(result.warnings) > 20:
        print(f"  - {_m('more_notes', n=formats.integer(len(result.warnings) - 20))}")
    return data_flow.run_import(con, result, sla_text, mode=args.mode,
                                source=data_flow.source_label(mapping.name, batch.frames))


def print_future_rows(summary) -> None:
    """Rows dated after the import moment: how many, and up to five (file, row, column, value)."""
    if summary.future_rows:
        print(f"{summary.future_rows:,} row(s) are dated after the import ({summary.imported_at:%Y-%m-%d %H:%M %Z}): "
              "they are kept but never count in the default view (the default as_of is the newest "
              "timestamp not after the import).")
        for problem in summary.future_examples:
            print(f"  - {problem}")


def cmd_report(args: argparse.Namespace) -> int:
    from sla_review.core.terms import period_terms, spans_text
    from sla_review.metrics.report import build_report, format_summary, make_period

    # read-write (but never creating a file): an upgraded program may need to rebuild derived tables
    con = connect(resolve_db_path(args.db), create=False)
    try:
        try:
            period = make_period(con, args.date_from, args.date_to, args.as_of)
        except ValueError as err:
            print(_m("bad_as_of", error=err), file=sys.stderr)
            return 2
        report = build_report(con, period, args.thresholds or [])
        terms = period_terms(con, period)
        versions = [spans_text(terms, dt.date.isoformat, "{name} until {last}", "{name} from {first}",
                               "{name} {first} – {last}") + f"; targets shown: {terms.version.name}"] if terms else []
        print(json.dumps(report, ensure_ascii=False) if args.json else format_summary(report, versions))
    finally:
        con.close()
    return 0


def _period_of(con: duckdb.DuckDBPyConnection, args: argparse.Namespace):
    from sla_review.metrics.report import make_period

    return make_period(con, args.date_from, args.date_to, args.as_of)


def _refused(err: Exception, lang: str = "en") -> int:
    """A refusal of the SLA terms (core.terms.ConfigError) in the chosen language; exit code 2."""
    print(err.text(lang) if hasattr(err, "text") else err, file=sys.stderr)
    return 2


def _aligned(rows: list[list[str]]) -> str:
    """A text table for a terminal: columns padded to their widest cell (East Asian wide characters count 2)."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if c == "\u2060" else 1 for c in text)

    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c + " " * (w - width(c)) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)


def cmd_proposal(args: argparse.Namespace) -> int:
    """Replay the terms in force and a proposal (a saved draft and/or --set clauses) on a period."""
    from sla_review.core.terms import ConfigError, with_clauses
    from sla_review.ingest.drafts import get_draft
    from sla_review.metrics import proposals
    from sla_review.present import proposal_text

    con = connect(resolve_db_path(args.db), create=False)
    try:
        try:
            period = _period_of(con, args)
        except ValueError as err:
            print(_m("bad_as_of", error=err), file=sys.stderr)
            return 2
        try:
            current = proposals.current_version(con, period)
            base = get_draft(con, args.draft).version if args.draft else current
            proposed = with_clauses(base, args.set or [])
        except ConfigError as err:
            return _refused(err, args.lang)
        cur, prop = proposals.compare(con, period, None, [proposed])
        if args.json:
            out = {"period": {"from": period.from_day.isoformat(), "to": period.to_day.isoformat(),
                              "as_of": period.as_of.isoformat()},
                   "current": proposals.as_json(cur), "proposed": proposals.as_json(prop)}
            print(json.dumps(out, ensure_ascii=False))
        else:
            labels = [proposal_text.w(args.lang, "cli_current", name=current.name),
                      proposal_text.w(args.lang, "cli_proposed", name=args.draft or proposed.name)]
            print(formats.plain(_aligned(proposal_text.table([cur, prop], labels, args.lang))))
    finally:
        con.close()
    return 0


def cmd_drafts(args: argparse.Namespace) -> int:
    """List, save or delete drafts of the next SLA version."""
    from sla_review.core.terms import ConfigError, with_clauses
    from sla_review.ingest import drafts
    from sla_review.ingest.importer import stored_config

    con = connect(resolve_db_path(args.db), create=False)
    try:
        if args.action == "save":
            versions = stored_config(con).versions
            base = next((v for v in versions if v.name == args.base), None) if args.base else versions[-1]
            if base is None:
                print(_m("no_version", name=args.base, names=", ".join(v.name for v in versions)), file=sys.stderr)
                return 2
            try:
                version = with_clauses(base, args.set or [])
                drafts.save_draft(con, args.name, version, note=args.note or "", based_on=base.name)
            except ConfigError as err:
                return _refused(err)
            print(_m("draft_saved", name=args.name.strip(), base=base.name))
        elif args.action == "delete":
            try:
                drafts.get_draft(con, args.name)
            except ConfigError as err:
                return _refused(err)
            drafts.delete_draft(con, args.name)
            print(_m("draft_deleted", name=args.name))
        else:
            for d in drafts.list_drafts(con):
                saved = d.saved_at.isoformat(timespec="minutes")
                print(_m("draft_line", name=d.name, version=d.version.name, saved=saved,
                         base=d.based_on or "-", note=d.note))
    finally:
        con.close()
    return 0


def cmd_adopt(args: argparse.Namespace) -> int:
    """Put a saved draft in force as a new SLA version from its effective date."""
    from sla_review.core.terms import ConfigError
    from sla_review.ingest import drafts

    con = connect(resolve_db_path(args.db), create=False)
    try:
        try:
            draft = drafts.get_draft(con, args.draft)
            rejudged = drafts.handoffs_from(con, args.effective_from)
            _, adoption = drafts.adopt(con, args.draft, args.effective_from, version_name=args.version_name)
        except ConfigError as err:
            return _refused(err)
    finally:
        con.close()
    print(_m("adopted", draft=draft.name, version=adoption.version, day=adoption.effective_from.isoformat(),
             rejudged=formats.integer(rejudged), id=adoption.import_id))
    return 0


def real_data(path: Path) -> dict | None:
    """What a database file holds when it is real (imported) data: None when it is absent, empty, or a demo
    database (its latest import is the demo's), else its lead count and latest import's source."""
    if not path.is_file():
        return None
    con = connect(path, create=False)
    try:
        leads = con.execute("SELECT count(*) FROM leads").fetchall()[0][0]
        latest = con.execute("SELECT source, is_demo FROM imports ORDER BY import_id DESC LIMIT 1").fetchall()
    finally:
        con.close()
    if not leads or (latest and latest[0][1]):
        return None
    return {"leads": leads, "source": latest[0][0] if latest else "?"}


def cmd_demo(args: argparse.Namespace) -> int:
    from sla_review.ingest.demo import CUTOFF, JST, generate
    from sla_review.ingest.importer import import_dir

    db = resolve_db_path(args.db)
    real = None if args.replace_real_data else real_data(db)
    if real:
        print(_m("demo_refused", path=db, leads=formats.integer(real["leads"]), source=real["source"]),
              file=sys.stderr)
        return 2
    started = time.perf_counter()
    with scratch.scratch_dir(scratch.DEMO) as tmp:  # pid-stamped: the next run sweeps it after a kill
        counts = generate(tmp, leads=args.leads, seed=args.seed)
        generated = time.perf_counter()
        con = connect(db)
        try:
            # the demo is generated as of its cutoff: on a clock earlier than that, the cutoff is its import moment
            moment = max(dt.datetime.now(dt.UTC), CUTOFF.replace(tzinfo=JST))
            summary = import_dir(con, tmp, is_demo=True, source=f"demo (leads={args.leads}, seed={args.seed})",
                                 imported_at=moment)
        finally:
            con.close()
    done = time.perf_counter()
    print(_m("demo_done", leads=formats.integer(summary.rows["leads"]),
             events=formats.integer(summary.rows["stage_events"]),
             activities=formats.integer(summary.rows["activities"]), reps=formats.integer(summary.rows["reps"]),
             generated=formats.number(generated - started), imported=formats.number(done - generated)))
    del counts
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from sla_review.devtools.bench import main as bench_main

    return bench_main(args)


def cmd_deck(args: argparse.Namespace) -> int:
    from sla_review.export.deck import cli_deck

    return cli_deck(args)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sla_review", description="SLA review: data and reports.")
    sub = p.add_subparsers(dest="command", required=True)
    db_help = "the DuckDB file (default: $SLA_DB or data/sla.duckdb)"

    imp = sub.add_parser("import", help="load canonical files, or CRM exports (recognised, or with --mapping)")
    imp.add_argument("--db", help=db_help)
    imp.add_argument("--mapping", help="a mapping preset (TOML) for CRM exports")
    imp.add_argument("--sla", help="sla.toml for mapped imports (default: keep the database's, else a template)")
    imp.add_argument("--mode", choices=("replace", "append"), default="replace")
    imp.add_argument("--replace-with-empty", action="store_true",
                     help="let a replace import without any leads empty the database (refused otherwise)")
    imp.add_argument("--leave-out-problem-rows", action="store_true",
                     help="when every problem is about single rows (a missing date, a duplicated id...), import "
                          "every other row: the rows left out (and the events of their leads) are listed and "
                          "recorded with the import (refused, and nothing changed, otherwise)")
    imp.add_argument("paths", nargs="+", help="a folder with leads, stage_events, activities, reps, sla.toml; or "
                     "CRM export files, whose layout is recognised as on the Data page (or given by --mapping)")
    imp.set_defaults(run=cmd_import)

    rep = sub.add_parser("report", help="the SLA report for a period")
    rep.add_argument("--db", help=db_help)
    rep.add_argument("--from", dest="date_from", type=_date, required=True, help="first local date")
    rep.add_argument("--to", dest="date_to", type=_date, required=True, help="local date after the last")
    rep.add_argument("--as-of", dest="as_of", help="instant the data is judged at (default: latest in data)")
    rep.add_argument("--thresholds", type=_thresholds, help="what-if thresholds, e.g. 50,60")
    rep.add_argument("--json", action="store_true", help="print the report as JSON (the documented report object)")
    rep.set_defaults(run=cmd_report)

    demo = sub.add_parser("demo", help="build the demo database")
    demo.add_argument("--db", help=db_help)
    demo.add_argument("--leads", type=int, default=50_000)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--replace-real-data", action="store_true",
                      help="overwrite a database that holds imported (non-demo) data (refused otherwise)")
    demo.set_defaults(run=cmd_demo)

    deck = sub.add_parser("deck", help="the SLA review deck (.pptx), compared with the previous period")
    deck.add_argument("--db", help=db_help)
    deck.add_argument("--from", dest="date_from", type=_date, required=True, help="first local date")
    deck.add_argument("--to", dest="date_to", type=_date, required=True, help="local date after the last")
    deck.add_argument("--out", required=True, help="the .pptx file to write")
    deck.add_argument("--lang", choices=("en", "ja"), default="en", help="the deck's language")
    deck.add_argument("--as-of", dest="as_of", help="instant the data is judged at (default: latest in data)")
    deck.add_argument("--sections", nargs="+", metavar="SECTION",
                      help="scorecard funnel mql_monthly conversion mix_rate response rejections what_if proposal "
                           "versions appendix (default: all; the title slide is always included; proposal only "
                           "with --draft)")
    deck.add_argument("--draft", metavar="NAME",
                      help="a saved draft of the next SLA version: adds the \"Proposal vs current\" slides")
    deck.set_defaults(run=cmd_deck)

    bench = sub.add_parser("bench", help="time pages, what-if, report and import at N demo leads")
    bench.add_argument("--leads", type=int, default=1_000_000)
    bench.add_argument("--repeat", type=int, default=10, help="timed runs after the first (cold) one")
    bench.add_argument("--out", default="BENCHMARKS.md", help="the Markdown file whose section to rewrite")
    bench.add_argument("--workdir", help="keep (and reuse) generated data and databases here")
    bench.add_argument("--hostile", action="store_true",
                       help="hostile uploads through the CLI and the Data page: peak memory, time to refusal")
    bench.set_defaults(run=cmd_bench)

    prop = sub.add_parser("proposal", help="replay the terms in force and a proposal on a period")
    prop.add_argument("--db", help=db_help)
    prop.add_argument("--from", dest="date_from", type=_date, required=True, help="first local date")
    prop.add_argument("--to", dest="date_to", type=_date, required=True, help="local date after the last")
    prop.add_argument("--as-of", dest="as_of", help="instant the data is judged at (default: latest in data)")
    prop.add_argument("--draft", help="a saved draft to start the proposal from (default: the terms in force)")
    prop.add_argument("--set", action="append", metavar="KEY=VALUE",
                      help="a clause of the proposal, e.g. response_target_hours=4 or tiers.NAME.min_attempts=2 "
                           "(repeatable)")
    prop.add_argument("--lang", choices=("en", "ja"), default="en", help="language of the table and messages")
    prop.add_argument("--json", action="store_true", help='print {"current": ..., "proposed": ...} as JSON')
    prop.set_defaults(run=cmd_proposal)

    drafts = sub.add_parser("drafts", help="list, save or delete drafts of the next SLA version")
    drafts.add_argument("--db", help=db_help)
    drafts.add_argument("action", nargs="?", choices=("list", "save", "delete"), default="list")
    drafts.add_argument("name", nargs="?", help="the draft's name (save, delete)")
    drafts.add_argument("--base", help="the version a saved draft starts from (default: the newest)")
    drafts.add_argument("--set", action="append", metavar="KEY=VALUE", help="a clause of the draft (repeatable)")
    drafts.add_argument("--note", help="a note kept with the draft")
    drafts.set_defaults(run=cmd_drafts)

    adopt = sub.add_parser("adopt", help="put a saved draft in force as a new SLA version")
    adopt.add_argument("--db", help=db_help)
    adopt.add_argument("--draft", required=True, help="the saved draft")
    adopt.add_argument("--effective-from", dest="effective_from", type=_date, required=True,
                       help="the local date the new version takes effect (after the newest version's)")
    adopt.add_argument("--version-name", dest="version_name", help="the new version's name (default: the draft's)")
    adopt.set_defaults(run=cmd_adopt)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except MigrationError as err:
        print(_m("schema_problem", error=err), file=sys.stderr)
        return 2
    except FileNotFoundError as err:
        print(err, file=sys.stderr)
        return 2
    except duckdb.IOException as err:
        if "lock" not in str(err).lower():
            raise
        print(_m("db_locked", path=resolve_db_path(getattr(args, "db", None))), file=sys.stderr)
        return 2
