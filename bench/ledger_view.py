"""整改台账 page with 100,000 rows: open, sort, filter, one keystroke of search.

    QT_QPA_PLATFORM=offscreen python bench/ledger_view.py [--rows 100000] [--repeat 5] [--work DIR]

Setup (not timed): the large demo (2,000 members) in an office database, and
ledger rows generated from its own rows (other leaders, owners, departments,
deadlines and states) up to ``--rows``, a third of them with a progress note.
``--work DIR`` keeps the database there and reuses it on the next run.

Timed, interleaved (baseline, project, …), median of ``--repeat``:

- project: the 整改台账 tab's model answers the interaction — the filtered
  count and the first page (:meth:`LedgerModel.query`), taken into the model,
  and the table's visible rows painted (``viewport().repaint()``);
- baseline: bare ``sqlite3`` on the same file running the same statements
  for the same result: the count, the first 50 rows in the same order with
  the leader's and owner's names, and the page's latest notes and evidence
  counts, fetched as tuples. No Qt, no ORM.

Interactions: open (no filter, by 序号); sort by 具体问题, by 完成时限, by
责任部门; filter 未完成 + one 责任部门; filter 已逾期; one keystroke of search
(one Chinese character, which matches many rows) — through the full-text
index on both sides; the bare ``LIKE`` scan of every row is printed for
scale. Goal: each under 100 ms and at most 3× the bare query.

Memory: the resident set size of the process after the view has shown
every row once (scrolling through all of them, page by page) against after
the first 10,000 rows — flat when pages are dropped, not kept — and the bare
cost of holding every row as Python tuples (``fetchall``) for scale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "desktop"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TODAY = dt.date(2025, 11, 20)
TIME_GOAL = 3.0
ABSOLUTE_GOAL_MS = 100.0


def _rss_kb() -> int:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        import resource

        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1])


# ------------------------------------------------------------------------ setup


def prepare(work: Path, rows: int) -> Path:
    """The office database with ``rows`` ledger rows; returns the SQLite file."""
    from mingjing.config import resolve_location
    from mingjing.domain.enums import DeadlineKind
    from mingjing.domain.models import deadline_order, new_search_key
    from mingjing.services.demo import create_demo
    from mingjing.storage import Database, search

    location = resolve_location(work)
    path = location.sqlite_path
    assert path is not None
    if path.exists():
        con = sqlite3.connect(path)
        have = con.execute("SELECT count(*) FROM rectification").fetchone()[0]
        con.close()
        if have >= rows:
            return path
        raise SystemExit(f"{path} holds {have} rows, fewer than {rows}: use another --work")
    with Database.open(location, actor="办公室") as db:
        create_demo(db, size="large", today=TODAY)
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    templates = [dict(r) for r in con.execute("SELECT * FROM rectification")]
    notes = [dict(r) for r in con.execute("SELECT * FROM progress_note")]
    members = [r["id"] for r in con.execute("SELECT id FROM member WHERE deleted_at IS NULL")]
    leaders = [r["id"] for r in con.execute("SELECT id FROM member WHERE is_leader = 1")]
    departments = sorted(
        {r["department"] for r in con.execute("SELECT department FROM member") if r["department"]}
    )
    rng = random.Random(2015)
    states = ["pending", "in_progress", "in_progress", "awaiting_sign_off", "signed_off"]
    start = max(t["serial"] for t in templates) + 1
    columns = list(templates[0])
    new_rows, new_notes = [], []
    for n in range(rows - len(templates)):
        row = dict(rng.choice(templates))
        row["id"] = uuid.uuid4().hex
        row["search_key"] = new_search_key()
        row["serial"] = start + n
        row["problem_id"] = None
        row["consultation_measure_id"] = None
        row["problem_text"] = f"{row['problem_text']}（{rng.choice(departments)}）"
        row["responsible_leader_id"] = rng.choice(leaders)
        row["owner_id"] = rng.choice(members)
        row["responsible_department"] = rng.choice(departments)
        row["state"] = rng.choice(states)
        kind = rng.choices(["by_date", "immediate", "ongoing"], [8, 1, 1])[0]
        row["deadline_kind"] = kind
        row["deadline"] = (
            (TODAY + dt.timedelta(days=rng.randint(-60, 120))).isoformat()
            if kind == "by_date"
            else None
        )
        row["deadline_order"] = deadline_order(
            DeadlineKind(kind), row["deadline"] and dt.date.fromisoformat(row["deadline"])
        )
        if row["state"] != "signed_off":
            row["signed_off_by_id"] = row["signed_off_at"] = None
            row["sign_off_note"] = ""
        else:
            row["signed_off_by_id"] = rng.choice(leaders)
        new_rows.append(tuple(row[c] for c in columns))
        if n % 3 == 0:
            note = dict(rng.choice(notes))
            note["id"] = uuid.uuid4().hex
            note["rectification_id"] = row["id"]
            new_notes.append(note)
    marks = ", ".join("?" * len(columns))
    con.execute("BEGIN")
    con.executemany(f"INSERT INTO rectification ({', '.join(columns)}) VALUES ({marks})", new_rows)
    if new_notes:
        note_columns = list(new_notes[0])
        con.executemany(
            f"INSERT INTO progress_note ({', '.join(note_columns)}) "
            f"VALUES ({', '.join('?' * len(note_columns))})",
            [tuple(x[c] for c in note_columns) for x in new_notes],
        )
    con.execute("COMMIT")
    con.close()
    with Database.open(location, actor="办公室") as db, db.transaction() as session:
        search.rebuild(session.connection())  # the rows above bypassed the flush hook
    con = sqlite3.connect(path)
    con.execute("ANALYZE")
    con.close()
    return path


# --------------------------------------------------------------------- baseline

_PAGE_SQL = """
SELECT r.*, l.name, o.name FROM rectification r
LEFT OUTER JOIN member l ON l.id = r.responsible_leader_id
LEFT OUTER JOIN member o ON o.id = r.owner_id
WHERE {where} ORDER BY {order} LIMIT 50 OFFSET 0
"""
_COUNT_SQL = """
SELECT count(*) FROM rectification r {join} WHERE {where}
"""
_JOIN = (
    "LEFT OUTER JOIN member l ON l.id = r.responsible_leader_id "
    "LEFT OUTER JOIN member o ON o.id = r.owner_id"
)
_SEARCH_COLUMNS = (
    "r.problem_text",
    "r.measure",
    "r.target",
    "r.area_label",
    "r.source_label",
    "r.responsible_department",
    "r.cooperating_departments",
    "r.remarks",
    "r.leader_name",
    "r.owner_name",
    "r.institutional_outcome",
    "l.name",
    "o.name",
)


def bare_case(
    con: sqlite3.Connection, campaign: str, where: str, params: list[Any], order: str, join: bool
) -> int:
    base = "r.campaign_id = ? AND r.deleted_at IS NULL" + (f" AND {where}" if where else "")
    args = [campaign, *params]
    if "rectification_search" in where:
        # A search alone: the index counts the campaign's live rows holding it,
        # and a page reads rows in order testing them ("+" keeps SQLite from
        # looking each key up), as the project does.
        total = con.execute(
            "SELECT count(*) FROM rectification_search WHERE rectification_search MATCH ?",
            params,
        ).fetchone()[0]
    else:
        total = con.execute(
            _COUNT_SQL.format(join=_JOIN if join else "", where=base), args
        ).fetchone()[0]
    page = con.execute(_PAGE_SQL.format(where=base, order=order), args).fetchall()
    ids = [row[0] for row in page]
    marks = ",".join("?" * len(ids))
    if ids:
        con.execute(
            f"SELECT * FROM progress_note WHERE rectification_id IN ({marks}) "
            "AND deleted_at IS NULL ORDER BY noted_on, created_at",
            ids,
        ).fetchall()
        con.execute(
            f"SELECT rectification_id, count(*) FROM evidence WHERE rectification_id IN ({marks}) "
            "AND deleted_at IS NULL GROUP BY rectification_id",
            ids,
        ).fetchall()
    return int(total)


# ------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, repeat {args.repeat}")
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        return run(args, args.work)
    with tempfile.TemporaryDirectory() as tmp:
        return run(args, Path(tmp))


def run(args: argparse.Namespace, work: Path) -> int:
    start = time.perf_counter()
    print(f"preparing the large demo and {args.rows} ledger rows …", flush=True)
    path = prepare(work, args.rows)
    print(f"setup {time.perf_counter() - start:.0f} s", flush=True)

    from PySide6.QtWidgets import QApplication, QTableView

    from mingjing.config import resolve_location
    from mingjing.services.campaign_setup import current_campaign_id
    from mingjing.services.ledger import LedgerFilter
    from mingjing.storage import Database
    from mingjing.ui.desk.ledger_model import COLUMNS, LedgerDelegate, LedgerModel

    app = QApplication.instance() or QApplication(sys.argv[:1])
    db = Database.open(resolve_location(work), actor="办公室")
    campaign = current_campaign_id(db)
    assert campaign is not None
    con = sqlite3.connect(path)
    bare_campaign = uuid.UUID(campaign).hex
    department = con.execute(
        "SELECT responsible_department FROM rectification GROUP BY 1 ORDER BY count(*) DESC"
    ).fetchone()[0]
    word = "会"

    model = LedgerModel()
    model.db, model.campaign_id, model.today = db, campaign, TODAY
    view = QTableView()
    view.setModel(model)
    view.setItemDelegate(LedgerDelegate(view))  # as the 整改台账 tab paints it
    for n, (_, _, _, width, _) in enumerate(COLUMNS):
        view.setColumnWidth(n, width)
    view.resize(1300, 640)
    view.show()
    app.processEvents()

    open_days = "r.state IN ('pending', 'in_progress')"
    cases: list[tuple[str, LedgerFilter, str, bool, tuple[str, list[Any], str, bool]]] = [
        ("open (by 序号)", LedgerFilter(), "serial", False, ("", [], "r.serial ASC", False)),
        (
            "sort by 具体问题",
            LedgerFilter(),
            "problem",
            False,
            ("", [], "r.problem_text ASC, r.serial ASC", False),
        ),
        (
            "sort by 完成时限",
            LedgerFilter(),
            "deadline",
            False,
            ("", [], "r.deadline_order ASC, r.serial ASC", False),
        ),
        (
            "filter 未完成 + 部门",
            LedgerFilter(states=("pending", "in_progress"), department=department),
            "serial",
            False,
            (
                f"{open_days} AND (r.responsible_department = ? "
                "OR r.cooperating_departments LIKE ? ESCAPE '/')",
                [department, f"%{department}%"],
                "r.serial ASC",
                False,
            ),
        ),
        (
            "filter 已逾期",
            LedgerFilter(overdue_only=True),
            "serial",
            False,
            (
                f"{open_days} AND r.deadline_kind = 'by_date' AND r.deadline < ?",
                [TODAY.isoformat()],
                "r.serial ASC",
                False,
            ),
        ),
        (
            "sort by 责任部门",
            LedgerFilter(),
            "department",
            False,
            ("", [], "r.responsible_department ASC, r.serial ASC", False),
        ),
        (
            "search, one keystroke",
            LedgerFilter(text=word),
            "serial",
            False,
            (
                "+r.search_key IN (SELECT rowid FROM rectification_search "
                "WHERE rectification_search MATCH ?)",
                [f'scope : c{bare_campaign} AND body : ("{word}")'],
                "r.serial ASC",
                False,
            ),
        ),
    ]

    paints: list[float] = []

    def project(where: LedgerFilter, sort: str, descending: bool) -> int:
        """The page's answer (count, first page, into the model); paints timed apart."""
        model.where, model.sort_key, model.descending = where, sort, descending
        total, first = model.query()
        model.show(total, first, today=TODAY)
        return total

    def paint() -> int:
        begin = time.perf_counter()
        view.viewport().repaint()
        paints.append((time.perf_counter() - begin) * 1000)
        return 0

    def timed(fn: Callable[[], int]) -> tuple[float, int]:
        begin = time.perf_counter()
        result = fn()
        return (time.perf_counter() - begin) * 1000, result

    results = []
    for label, where, sort, desc, (bare_where, params, order, join) in cases:
        ours: list[float] = []
        base: list[float] = []
        shown: list[float] = []
        counts: set[int] = set()
        project(where, sort, desc)  # warm the statement caches alike
        bare_case(con, bare_campaign, bare_where, params, order, join)

        def bare(w: str = bare_where, p: list[Any] = params, o: str = order, j: bool = join) -> int:
            return bare_case(con, bare_campaign, w, p, o, j)

        for _ in range(args.repeat):
            ms, n = timed(bare)
            base.append(ms)
            counts.add(n)
            ms, n = timed(lambda: project(where, sort, desc))  # noqa: B023
            ours.append(ms)
            counts.add(n)
            paint()
            shown.append(paints[-1])
        if len(counts) != 1:
            raise SystemExit(f"{label}: project and baseline disagree on the count: {counts}")
        results.append(
            (
                label,
                statistics.median(ours),
                statistics.median(base),
                statistics.median(shown),
                counts.pop(),
            )
        )

    # The paint, against a bare QTableView painting the same texts from a
    # QStandardItemModel (no data() of ours, no colours).
    from PySide6.QtGui import QStandardItem, QStandardItemModel

    project(LedgerFilter(), "serial", False)
    plain = QStandardItemModel(model.rowCount(), len(COLUMNS))
    for r in range(min(model.rowCount(), 60)):
        for c in range(len(COLUMNS)):
            plain.setItem(r, c, QStandardItem(str(model.index(r, c).data())))
    plain.setHorizontalHeaderLabels([c[0] for c in COLUMNS])
    bare_view = QTableView()
    bare_view.setModel(plain)
    for n, (_, _, _, width, _) in enumerate(COLUMNS):
        bare_view.setColumnWidth(n, width)
    bare_view.resize(view.size())
    bare_view.show()
    app.processEvents()
    ours_paint, bare_paint = [], []
    for _ in range(args.repeat):
        begin = time.perf_counter()
        bare_view.viewport().repaint()
        bare_paint.append((time.perf_counter() - begin) * 1000)
        model.refresh_rows()  # as after a new answer: the texts are worked out again
        begin = time.perf_counter()
        view.viewport().repaint()
        ours_paint.append((time.perf_counter() - begin) * 1000)
    bare_view.close()

    scan = " OR ".join(f"{c} LIKE ? ESCAPE '/'" for c in _SEARCH_COLUMNS)
    like = [f"%{word}%"] * len(_SEARCH_COLUMNS)
    scans = [
        timed(lambda: bare_case(con, bare_campaign, f"({scan})", like, "r.serial ASC", True))[0]
        for _ in range(args.repeat)
    ]
    total = model.total
    print(f"ledger rows {total}; department “{department}”; search “{word}”")
    print("each interaction: the page's answer against the bare query, then the paint of the")
    goal = f"answer ≤ {TIME_GOAL:.0f}× bare, answer + paint < {ABSOLUTE_GOAL_MS:.0f} ms"
    print(f"visible rows; goal: {goal}")
    worst = 0.0
    for label, ours_ms, base_ms, paint_ms, count in results:
        ratio = ours_ms / base_ms
        worst = max(worst, ratio)
        met = ratio <= TIME_GOAL and ours_ms + paint_ms < ABSOLUTE_GOAL_MS
        print(
            f"{label:<22} {count:>7} rows  answer {ours_ms:6.1f} ms  bare {base_ms:6.1f} ms  "
            f"ratio {ratio:4.2f}×  + paint {paint_ms:5.1f} ms = {ours_ms + paint_ms:6.1f} ms  "
            f"{'met' if met else 'NOT met'}"
        )
    pr = statistics.median(ours_paint) / statistics.median(bare_paint)
    print(
        f"paint of the visible rows: project {statistics.median(ours_paint):.1f} ms, bare "
        f"QTableView with the same texts {statistics.median(bare_paint):.1f} ms, ratio {pr:.2f}×"
    )
    print(
        f"(for scale: the same search scanning every row with LIKE, bare: "
        f"{statistics.median(scans):.1f} ms)"
    )

    # Memory: scroll through every row, page by page, as the view would ask.
    project(LedgerFilter(), "serial", False)
    before = _rss_kb()
    tenth = min(10_000, model.total)
    for n in range(tenth):
        model.row_at(n)
    after_tenth = _rss_kb()
    for n in range(tenth, model.total):
        model.row_at(n)
    after_all = _rss_kb()
    held = model.pages_held
    rows_all = con.execute(
        "SELECT * FROM rectification WHERE campaign_id = ? AND deleted_at IS NULL", [bare_campaign]
    ).fetchall()
    after_fetchall = _rss_kb()
    print(
        f"memory: RSS growth after {tenth} rows shown {(after_tenth - before) / 1024:.1f} MB, "
        f"after all {model.total} {(after_all - before) / 1024:.1f} MB "
        f"(pages kept {held}); bare fetchall of every row as tuples "
        f"{(after_fetchall - after_all) / 1024:.1f} MB ({len(rows_all)} rows)"
    )
    view.close()
    db.close()
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
