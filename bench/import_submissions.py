"""收取自查材料: the office imports 500 hand-in files vs a bare ``sqlite3`` importer.

    python bench/import_submissions.py [--repeat 3] [--files 500] [--profile]

Setup (not timed): the large demo (2,000 members) in an office database, its
campaign package, 500 hand-in packages written from members' self-checks that
have content, and a fresh secretary database holding only the campaign and
the roster (``join_campaign`` with no member chosen).

Timed, each side in a child process of its own on a fresh copy of the
secretary database, interleaved (baseline, project, baseline, …), median:

- project: ``import_submissions(db, [folder])``; every line must be 已导入;
- baseline: for each file, open the zip, read ``manifest.json`` and
  ``data.json``, check the SHA-256, ``json.loads``, and insert the same rows
  (self_check, answers, study records, problems, root causes, measures: the
  same count per file as the project, checked) into a bare SQLite database in
  WAL mode with ``synchronous=FULL``, one ``BEGIN IMMEDIATE … COMMIT`` per file.
  No audit trail: the ratio shows what the project's checks, ORM and
  hash-chained audit rows cost.

Memory: how far each child's resident set size peaks above where it was when
the import began, read as ``VmHWM`` after resetting it through
``/proc/self/clear_refs`` (Linux; ``ru_maxrss`` elsewhere, which a child may
inherit from its parent — here one that held the whole demo). ``--profile`` runs the
project's import once more under cProfile and prints the top 25 functions by
cumulative time (all, then those of services/submissions.py and storage/audit.py)
and the top 15 by own time. Goal: time ratio ≤ 3.0.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "desktop"))

TODAY = dt.date(2025, 11, 20)
TABLES = ("self_check", "answer", "study_record", "problem", "root_cause", "measure")
TIME_GOAL = 3.0

# The same tables, columns and indexes as Mingjing's (shared columns, foreign-key
# indexes, unique constraints); checklist references are kept as item/area keys.
_COMMON = "id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, revision INTEGER, deleted_at TEXT"
BARE_SCHEMA = f"""
CREATE TABLE self_check ({_COMMON}, campaign_id TEXT NOT NULL, member_id TEXT NOT NULL,
    state TEXT, submitted_at TEXT, submission_revision INTEGER, submission_sha256 TEXT,
    reviewed_at TEXT, reviewer_id TEXT, review_comment TEXT, overall_analysis TEXT,
    UNIQUE (campaign_id, member_id));
CREATE TABLE answer ({_COMMON}, self_check_id TEXT NOT NULL, item TEXT NOT NULL, level TEXT,
    example TEXT, UNIQUE (self_check_id, item));
CREATE TABLE study_record ({_COMMON}, self_check_id TEXT NOT NULL, studied_on TEXT, form TEXT,
    topic TEXT, hours REAL, note TEXT);
CREATE TABLE problem ({_COMMON}, campaign_id TEXT NOT NULL, owner_member_id TEXT,
    owner_team_id TEXT, area TEXT, item TEXT, text TEXT, examples TEXT, severity TEXT,
    source TEXT, is_common INTEGER, status TEXT, sort_order INTEGER, promoted_from_id TEXT,
    submission_revision INTEGER, tags TEXT);
CREATE TABLE root_cause ({_COMMON}, campaign_id TEXT NOT NULL, problem_id TEXT, member_id TEXT,
    team_id TEXT, category TEXT, text TEXT, sort_order INTEGER);
CREATE TABLE measure ({_COMMON}, problem_id TEXT NOT NULL, ordinal INTEGER, text TEXT,
    target TEXT, deadline_kind TEXT, deadline TEXT);
CREATE INDEX ix_self_check_campaign_id ON self_check (campaign_id);
CREATE INDEX ix_self_check_member_id ON self_check (member_id);
CREATE INDEX ix_self_check_reviewer_id ON self_check (reviewer_id);
CREATE INDEX ix_answer_self_check_id ON answer (self_check_id);
CREATE INDEX ix_answer_item ON answer (item);
CREATE INDEX ix_study_record_self_check_id ON study_record (self_check_id);
CREATE INDEX ix_problem_campaign_id ON problem (campaign_id);
CREATE INDEX ix_problem_owner_member_id ON problem (owner_member_id);
CREATE INDEX ix_problem_owner_team_id ON problem (owner_team_id);
CREATE INDEX ix_problem_area ON problem (area);
CREATE INDEX ix_problem_item ON problem (item);
CREATE INDEX ix_problem_promoted_from_id ON problem (promoted_from_id);
CREATE INDEX ix_root_cause_campaign_id ON root_cause (campaign_id);
CREATE INDEX ix_root_cause_problem_id ON root_cause (problem_id);
CREATE INDEX ix_root_cause_member_id ON root_cause (member_id);
CREATE INDEX ix_root_cause_team_id ON root_cause (team_id);
CREATE INDEX ix_measure_problem_id ON measure (problem_id);
"""


def rows_of(data: dict[str, Any]) -> int:
    """Rows one hand-in adds: its self-check and everything in it."""
    problems = data["problems"]
    return (
        1
        + len(data["answers"])
        + len(data["study_records"])
        + len(problems)
        + sum(len(p["root_causes"]) + len(p["measures"]) for p in problems)
    )


# ------------------------------------------------------------------------ setup


def prepare(work: Path, count: int) -> list[int]:
    """Office, campaign package, ``count`` hand-ins, a secretary database; rows per file."""
    from sqlalchemy import select

    from mingjing import __version__
    from mingjing.config import resolve_location
    from mingjing.domain.models import Member, Problem, SelfCheck
    from mingjing.exchange.package import SUFFIXES, write_package
    from mingjing.services.campaigns import export_campaign, join_campaign
    from mingjing.services.demo import create_demo
    from mingjing.services.self_check import submission_data
    from mingjing.storage import Database

    office = Database.open(resolve_location(work / "office"), actor="办公室")
    create_demo(office, size="large", today=TODAY)
    package = export_campaign(office, work)
    folder = work / "hand-ins"
    folder.mkdir()
    rows: list[int] = []
    with office.read() as session:
        owners = set(session.scalars(select(Problem.owner_member_id)).all())
        checks = session.scalars(
            select(SelfCheck)
            .join(Member, SelfCheck.member_id == Member.id)
            .order_by(Member.sort_order)
        ).all()
        for check in checks:
            if len(rows) == count:
                break
            if check.member_id not in owners or not any(a.example for a in check.answers):
                continue  # only self-checks with content: examples and problems
            campaign = check.campaign
            data = submission_data(session, check)
            blob = write_package(
                kind="submission",
                campaign_id=str(campaign.id),
                member_id=str(check.member_id),
                revision=1,
                app_version=__version__,
                template_id=campaign.template.key,
                template_version=campaign.template.version,
                data=data,
            )
            (folder / f"{len(rows):04d}{SUFFIXES['submission']}").write_bytes(blob)
            rows.append(rows_of(data))
    office.close()
    if len(rows) < count:
        raise SystemExit(f"only {len(rows)} self-checks with content in the demo")
    location = resolve_location(work / "secretary")
    secretary = Database.open(location, actor="办公室")
    join_campaign(secretary, location, package)
    secretary.close()
    return rows


# --------------------------------------------------------------------- children


def bare_import(folder: Path, database: Path) -> int:
    """The baseline: read, verify and insert each file in its own transaction."""
    con = sqlite3.connect(database, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.executescript(BARE_SCHEMA)
    inserted = 0
    for path in sorted(folder.glob("*.mjsubmission")):
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            payload = archive.read("data.json")
        if hashlib.sha256(payload).hexdigest() != manifest["sha256"]["data.json"]:
            raise SystemExit(f"{path}: hash mismatch")
        data = json.loads(payload)
        now = dt.datetime.now(dt.UTC).isoformat()
        common = (now, now, 1, None)
        sc = data["self_check"]
        answers = [
            (uuid.uuid4().hex, *common, sc["id"], a["item"], a["level"], a["example"])
            for a in data["answers"]
        ]
        records = [
            (
                r["id"],
                *common,
                sc["id"],
                r["studied_on"],
                r["form"],
                r["topic"],
                r["hours"],
                r["note"],
            )
            for r in data["study_records"]
        ]
        campaign_id, member_id = manifest["campaign_id"], sc["member_id"]
        problems: list[tuple[Any, ...]] = []
        causes: list[tuple[Any, ...]] = []
        measures: list[tuple[Any, ...]] = []
        for p in data["problems"]:
            problems.append(
                (
                    *(p["id"], *common, campaign_id, member_id, None, p["area"], p["item"]),
                    *(p["text"], p["examples"], p["severity"], p["source"], 0, "raised"),
                    *(p["sort_order"], None, manifest["revision"], "[]"),
                )
            )
            causes.extend(
                (
                    c["id"],
                    *common,
                    campaign_id,
                    p["id"],
                    member_id,
                    None,
                    c["category"],
                    c["text"],
                    n,
                )
                for n, c in enumerate(p["root_causes"])
            )
            measures.extend(
                (
                    m["id"],
                    *common,
                    p["id"],
                    n,
                    m["text"],
                    m["target"],
                    m["deadline_kind"],
                    m["deadline"],
                )
                for n, m in enumerate(p["measures"])
            )
        con.execute("BEGIN IMMEDIATE")
        con.execute(
            "INSERT INTO self_check VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                *(sc["id"], *common, campaign_id, member_id, "submitted", manifest["created_at"]),
                *(manifest["revision"], manifest["sha256"]["data.json"], None, None, ""),
                sc["overall_analysis"],
            ),
        )
        con.executemany("INSERT INTO answer VALUES (?,?,?,?,?,?,?,?,?)", answers)
        con.executemany("INSERT INTO study_record VALUES (?,?,?,?,?,?,?,?,?,?,?)", records)
        con.executemany(
            "INSERT INTO problem VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", problems
        )
        con.executemany("INSERT INTO root_cause VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", causes)
        con.executemany("INSERT INTO measure VALUES (?,?,?,?,?,?,?,?,?,?,?)", measures)
        con.execute("COMMIT")
        inserted += 1 + len(answers) + len(records) + len(problems) + len(causes) + len(measures)
    con.close()
    return inserted


def _rss_kb(field: str) -> int:
    """``VmRSS`` or ``VmHWM`` (peak) in kB; ``ru_maxrss`` where there is no /proc."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    line = next(x for x in status.splitlines() if x.startswith(field + ":"))
    return int(line.split()[1])


def _start_memory() -> int:
    """Reset the peak to the present and return the present resident set size."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _rss_kb("VmRSS")


def _counts(db: Any) -> dict[str, int]:
    from sqlalchemy import text

    with db.read() as session:
        return {
            t: int(session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
            for t in (*TABLES, "audit_entry")
        }


def child(side: str, work: Path, profile: bool) -> int:
    """Run one side's import, print a JSON line: seconds, rows, audit rows, memory."""
    if side == "baseline":
        database = work / "bare.sqlite3"
        before_kb = _start_memory()
        start = time.perf_counter()
        rows = bare_import(work / "hand-ins", database)
        seconds = time.perf_counter() - start
        audit = 0
        lines = len(list((work / "hand-ins").glob("*.mjsubmission")))
    else:
        from mingjing.config import resolve_location
        from mingjing.services.submissions import Outcome, import_submissions
        from mingjing.storage import Database

        db = Database.open(resolve_location(work / "secretary"), actor="办公室")
        counted = _counts(db)
        before_kb = _start_memory()
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            start = time.perf_counter()
            report = profiler.runcall(import_submissions, db, [work / "hand-ins"])
            seconds = time.perf_counter() - start
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(25)
            stats.print_stats(r"mingjing/(services/submissions|storage/audit)\.py", 25)
            stats.sort_stats("tottime").print_stats(15)
        else:
            start = time.perf_counter()
            report = import_submissions(db, [work / "hand-ins"])
            seconds = time.perf_counter() - start
        refused = [line.text for line in report.lines if line.outcome is not Outcome.IMPORTED]
        if refused:
            raise SystemExit("not imported:\n" + "\n".join(refused[:5]))
        after = _counts(db)
        db.close()
        rows = sum(after[t] - counted[t] for t in TABLES)
        audit = after["audit_entry"] - counted["audit_entry"]
        lines = len(report.lines)
    peak_kb = _rss_kb("VmHWM")
    print(
        json.dumps(
            {
                "seconds": seconds,
                "files": lines,
                "rows": rows,
                "audit": audit,
                "rss_growth_kb": peak_kb - before_kb,
                "rss_peak_kb": peak_kb,
            }
        )
    )
    return 0


def run_child(side: str, work: Path, profile: bool = False) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", side, str(work)]
    if profile:
        args.append("--profile")
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{side} exited {out.returncode}:\n{out.stderr}")
    if profile:
        print(out.stderr)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def fresh(work: Path, template: Path) -> Path:
    """A round's folder: the hand-ins (linked) and an untouched secretary database."""
    round_dir = Path(tempfile.mkdtemp(dir=work))
    (round_dir / "hand-ins").symlink_to(work / "hand-ins")
    shutil.copytree(template, round_dir / "secretary")
    return round_dir


# ------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child[0], Path(args.child[1]), args.profile)

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, repeat {args.repeat}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        print(f"making the large demo and {args.files} hand-ins (about a minute) …", flush=True)
        expected = prepare(work, args.files)
        print(f"setup {time.perf_counter() - start:.0f} s", flush=True)
        template = work / "secretary"

        def one(side: str, profile: bool = False) -> dict[str, Any]:
            round_dir = fresh(work, template)
            try:
                return run_child(side, round_dir, profile)
            finally:
                shutil.rmtree(round_dir)

        base: list[dict[str, Any]] = []
        ours: list[dict[str, Any]] = []
        for _ in range(args.repeat):
            base.append(one("baseline"))
            ours.append(one("project"))
        for sample in base + ours:
            if sample["files"] != len(expected) or sample["rows"] != sum(expected):
                raise SystemExit(
                    f"expected {len(expected)} files and {sum(expected)} rows, got {sample}"
                )

        pt = statistics.median(s["seconds"] for s in ours)
        bt = statistics.median(s["seconds"] for s in base)
        pm = statistics.median(s["rss_growth_kb"] for s in ours) / 1024
        bm = statistics.median(s["rss_growth_kb"] for s in base) / 1024
        pp = statistics.median(s["rss_peak_kb"] for s in ours) / 1024
        bp = statistics.median(s["rss_peak_kb"] for s in base) / 1024
        ratio = pt / bt
        verdict = "met" if ratio <= TIME_GOAL else "NOT met"
        per_file = sum(expected) / len(expected)
        label = f"import {len(expected)} hand-ins"
        print(
            f"files {len(expected)} (all 已导入), rows per file {per_file:.1f} "
            f"(min {min(expected)}, max {max(expected)}), "
            f"audit rows per file {ours[0]['audit'] / len(expected):.1f} (project only)"
        )
        print(
            f"{label + ' time':<32} project {pt:8.2f} s   baseline {bt:8.2f} s   "
            f"ratio {ratio:5.2f}×  goal ≤ {TIME_GOAL:.1f}× {verdict}"
        )
        print(
            f"{label + ' RSS growth':<32} project {pm:8.1f} MB  baseline {bm:8.1f} MB"
            f"   (child's peak RSS: project {pp:.0f} MB, baseline {bp:.0f} MB)"
        )
        print(
            f"{'per file':<32} project {pt / len(expected) * 1000:8.1f} ms  "
            f"baseline {bt / len(expected) * 1000:8.1f} ms"
        )
        if args.profile:
            one("project", profile=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
