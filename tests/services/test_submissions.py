"""The office takes in hand-in files: new, the same again, newer, older, and broken ones."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from mingjing.config import DataLocation
from mingjing.domain.enums import SelfCheckState, Source
from mingjing.domain.models import AuditEntry, Member, Problem, SelfCheck, StudyRecord
from mingjing.exchange.package import (
    MANIFEST,
    SEALED,
    SIGNATURE,
    data_sha256,
    read_package,
    write_package,
)
from mingjing.exchange.signing import Identity
from mingjing.services import self_check as staff
from mingjing.services.identity import load_identity
from mingjing.services.submissions import (
    Outcome,
    import_submission,
    import_submissions,
    submission_files,
)
from mingjing.storage import Database
from mingjing.storage.audit import verify_chain


def audit_length(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def handed_in(laptop: tuple[DataLocation, Database], out: Path) -> Path:
    """陈喆 answers two items, raises one as a problem with a cause and a measure, hands in."""
    location, db = laptop
    view = staff.load_own_self_check(db, location)
    staff.set_answer(
        db,
        view.id,
        "spirit-ambition",
        level="notable",
        example="2025年10月推诿老旧小区加装电梯协调",
    )
    staff.set_answer(db, view.id, "standard-duty", level="none")
    problem = staff.raise_problem(db, view.id, "spirit-ambition")
    staff.add_root_cause(db, problem, "担当作为", "怕担责任，遇到难事先想退路。")
    staff.add_measure(db, problem, "本月内牵头召开加装电梯协调会。", target="12月底前开工")
    out.mkdir(parents=True, exist_ok=True)
    return staff.hand_in(db, location, out)


def office_check(db: Database, member: str = "陈喆") -> SelfCheck:
    with db.read() as s:
        m = s.scalars(select(Member).where(Member.name == member)).one()
        row = s.scalars(select(SelfCheck).where(SelfCheck.member_id == m.id)).one()
        s.expunge(row)
        return row


def live_problems(db: Database, member: str = "陈喆") -> list[Problem]:
    with db.read() as s:
        m = s.scalars(select(Member).where(Member.name == member)).one()
        rows = s.scalars(
            select(Problem).where(Problem.owner_member_id == m.id, Problem.deleted_at.is_(None))
        ).all()
        for r in rows:
            s.expunge(r)
        return list(rows)


def test_first_import_then_the_same_file_then_a_newer_one(
    laptop: tuple[DataLocation, Database],
    office: Database,
    tmp_path: Path,
    office_identity: Identity,
) -> None:
    first = handed_in(laptop, tmp_path / "u盘")
    line = import_submission(office, first, identity=office_identity)
    assert line.outcome is Outcome.IMPORTED, line.text
    assert line.member == "陈喆" and line.revision == 1
    row = office_check(office)
    assert row.state is SelfCheckState.SUBMITTED and row.submission_revision == 1
    texts = {p.text for p in live_problems(office) if p.submission_revision == 1}
    assert any("只想当官不想干事" in t or "事业心" in t for t in texts), texts

    before = audit_length(office)
    again = import_submission(office, first, identity=office_identity)
    assert again.outcome is Outcome.UNCHANGED, again.text
    assert audit_length(office) == before

    # The office turns an opinion into a problem for him: a newer hand-in keeps it.
    with office.transaction() as s:
        m = s.scalars(select(Member).where(Member.name == "陈喆")).one()
        s.add(
            Problem(
                campaign_id=row.campaign_id,
                owner_member_id=m.id,
                text="群众反映：窗口答复群众咨询不耐心。",
                source=Source.MASSES,
            )
        )
    location, db = laptop
    view = staff.load_own_self_check(db, location)
    old_problem = view.problems[0].id
    staff.delete_problem(db, old_problem)
    staff.add_problem(db, view.id, "2025年11月3日拖延回复物业投诉，超期5天。")
    second = staff.hand_in(db, location, tmp_path / "u盘")
    line = import_submission(office, second, identity=office_identity)
    assert line.outcome is Outcome.REPLACED, line.text
    assert "替换了第 1 次" in line.detail
    problems = live_problems(office)
    texts = {p.text for p in problems}
    assert "2025年11月3日拖延回复物业投诉，超期5天。" in texts
    assert "群众反映：窗口答复群众咨询不耐心。" in texts
    assert uuid.UUID(old_problem) not in {p.id for p in problems}
    assert office_check(office).submission_revision == 2

    # The older file after the newer one: refused, nothing changed.
    before = audit_length(office)
    older = import_submission(office, first, identity=office_identity)
    assert older.outcome is Outcome.REFUSED
    assert "旧的不会覆盖新的" in older.detail
    assert audit_length(office) == before


@pytest.fixture
def rewrite(tmp_path: Path, office_identity: Identity) -> Callable[..., Path]:
    """``rewrite(path, out, change, **manifest)``: the same hand-in with its data
    changed and the manifest still consistent, signed by the member's laptop
    and sealed to the office as the laptop would."""
    laptop_identity = load_identity(tmp_path / "laptop")

    def make(path: Path, out: Path, change: Any, **manifest: Any) -> Path:
        package = read_package(path, identity=office_identity)
        m = package.manifest
        data = json.loads(json.dumps(package.data))
        change(data)
        args: dict[str, Any] = {
            "kind": m.kind,
            "campaign_id": m.campaign_id,
            "member_id": m.member_id,
            "revision": m.revision,
            "app_version": m.app_version,
            "template_id": m.template_id,
            "template_version": m.template_version,
            "identity": laptop_identity,
            "seal_to": office_identity.public,
        }
        args.update(manifest)
        out.write_bytes(write_package(data=data, **args))
        return out

    return make


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, blob in entries.items():
            z.writestr(name, blob)
    return buffer.getvalue()


def _flipped(blob: bytes) -> bytes:
    """The same bytes with one bit of the middle one flipped."""
    middle = len(blob) // 2
    return blob[:middle] + bytes([blob[middle] ^ 1]) + blob[middle + 1 :]


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _bad_files(
    good: Path, folder: Path, rewrite: Callable[..., Path]
) -> dict[str, tuple[Path, str]]:
    """Each way a hand-in can be wrong, and the words its refusal must contain."""
    folder.mkdir()
    blob = good.read_bytes()
    entries = _entries(good)
    manifest = json.loads(entries[MANIFEST])
    bad: dict[str, tuple[Path, str]] = {}

    def put(name: str, content: bytes, words: str) -> None:
        path = folder / f"{name}.mjsubmission"
        path.write_bytes(content)
        bad[name] = (path, words)

    put("truncated", blob[: len(blob) // 2], "不完整")
    put("not-a-zip", "陈喆的自查材料（Word 文档）".encode(), "不是明镜的数据文件")
    put("parent-path", _zip({**entries, "../evil.json": b"{}"}), "不应有的内容")
    put("absolute-path", _zip({**entries, "/etc/passwd": b"x"}), "不应有的内容")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(MANIFEST, entries[MANIFEST])
        z.writestr(SEALED, b"\0" * (8 * 1024 * 1024))
    # Declare 1 GB for data.json in both headers, as a crafted bomb would.
    size = (8 * 1024 * 1024).to_bytes(4, "little")
    put("bomb", bomb.getvalue().replace(size, (1 << 30).to_bytes(4, "little")), "上限")
    put(
        "hash-mismatch",
        _zip({**entries, SEALED: _flipped(entries[SEALED])}),
        "校验值不符",
    )
    newer = dict(manifest, format=99)
    put("newer-format", _zip({**entries, MANIFEST: json.dumps(newer).encode()}), "更新版本的明镜")
    old = dict(manifest, format=1)
    put("unsigned-old-format", _zip({**entries, MANIFEST: json.dumps(old).encode()}), "没有签名")
    unsigned = {k: v for k, v in entries.items() if k != SIGNATURE}
    put("no-signature", _zip(unsigned), "没有签名")
    # The manifest changed after signing (a later revision claimed): the signature breaks.
    claimed = json.dumps(dict(manifest, revision=9), ensure_ascii=False, indent=1, sort_keys=True)
    put("manifest-changed", _zip({**entries, MANIFEST: claimed.encode()}), "签名不符")
    # The sealed data changed and its hash in the manifest with it: still the signature.
    forged = _flipped(entries[SEALED])
    rehashed = dict(manifest, sha256={SEALED: hashlib.sha256(forged).hexdigest()})
    put(
        "data-and-hash-changed",
        _zip({**entries, SEALED: forged, MANIFEST: json.dumps(rehashed).encode()}),
        "签名不符",
    )
    put("signature-garbage", _zip({**entries, SIGNATURE: b"not base64!"}), "签名不符")
    stranger_keys = Identity.generate()
    put(
        "sealed-to-another-office",
        rewrite(good, folder / "o.tmp", lambda d: None, seal_to=stranger_keys.public).read_bytes(),
        "另一台电脑",
    )
    put(
        "not-sealed",
        rewrite(good, folder / "n.tmp", lambda d: None, seal_to=None).read_bytes(),
        "没有加密",
    )
    put(
        "schema",
        rewrite(good, folder / "s.tmp", lambda d: d["problems"][0].pop("text")).read_bytes(),
        "缺少 problems[1].text",
    )
    put(
        "other-campaign",
        rewrite(good, folder / "c.tmp", lambda d: None, campaign_id=str(uuid.uuid4())).read_bytes(),
        "另一个专项行动",
    )
    stranger = str(uuid.uuid4())

    def to_stranger(d: dict[str, Any]) -> None:
        d["self_check"]["member_id"] = stranger

    put(
        "not-in-roster",
        rewrite(good, folder / "m.tmp", to_stranger, member_id=stranger).read_bytes(),
        "不在本单位的人员名单中",
    )
    put(
        "unknown-item",
        rewrite(
            good, folder / "i.tmp", lambda d: d["answers"][0].update(item="no-such-item")
        ).read_bytes(),
        "自查表中没有的条目",
    )
    put(
        "unknown-level",
        rewrite(
            good, folder / "l.tmp", lambda d: d["answers"][0].update(level="很严重")
        ).read_bytes(),
        "本程序不认识",
    )
    put(
        "other-template",
        rewrite(good, folder / "t.tmp", lambda d: None, template_version=9).read_bytes(),
        "自查表",
    )
    for tmp in folder.glob("*.tmp"):
        tmp.unlink()
    return bad


def test_every_bad_file_is_refused_with_its_reason_and_changes_nothing(
    laptop: tuple[DataLocation, Database],
    office: Database,
    tmp_path: Path,
    office_identity: Identity,
    rewrite: Callable[..., Path],
) -> None:
    good = handed_in(laptop, tmp_path / "u盘")
    bad = _bad_files(good, tmp_path / "bad", rewrite)
    before = audit_length(office)
    report = import_submissions(office, [tmp_path / "bad"], identity=office_identity)
    assert len(report.lines) == len(bad)
    by_name = {line.file.stem: line for line in report.lines}
    for name, (_, words) in bad.items():
        line = by_name[name]
        assert line.outcome is Outcome.REFUSED, (name, line.text)
        assert words in line.detail, (name, line.detail)
    assert audit_length(office) == before
    with office.read() as s:
        m = s.scalars(select(Member).where(Member.name == "陈喆")).one()
        row = s.scalars(select(SelfCheck).where(SelfCheck.member_id == m.id)).one_or_none()
        assert row is None or row.submission_sha256 is None
    assert "已拒绝" in report.summary


def test_same_revision_with_different_content_is_refused(
    laptop: tuple[DataLocation, Database],
    office: Database,
    tmp_path: Path,
    office_identity: Identity,
    rewrite: Callable[..., Path],
) -> None:
    good = handed_in(laptop, tmp_path / "u盘")
    assert import_submission(office, good, identity=office_identity).outcome is Outcome.IMPORTED
    other = rewrite(
        good,
        tmp_path / "另一份.mjsubmission",
        lambda d: d["self_check"].update(overall_analysis="改过的剖析"),
    )
    before = audit_length(office)
    line = import_submission(office, other, identity=office_identity)
    assert line.outcome is Outcome.REFUSED and "内容不同" in line.detail
    assert audit_length(office) == before


def test_a_batch_reports_each_file_and_can_be_cancelled(
    laptop: tuple[DataLocation, Database],
    office: Database,
    tmp_path: Path,
    office_identity: Identity,
) -> None:
    good = handed_in(laptop, tmp_path / "u盘" / "第一组")
    (tmp_path / "u盘" / "说明.txt").write_text("不是提交文件", encoding="utf-8")
    assert submission_files([tmp_path / "u盘", good]) == [good]

    seen: list[tuple[int, int, str]] = []
    report = import_submissions(
        office,
        [tmp_path / "u盘", good],
        progress=lambda *a: seen.append(a),
        identity=office_identity,
    )
    assert [line.outcome for line in report.lines] == [Outcome.IMPORTED]
    assert seen == [(0, 1, good.name), (1, 1, "")]
    assert report.summary == "共 1 份文件：已导入 1 份。"

    cancelled = import_submissions(office, [good], cancelled=lambda: True, identity=office_identity)
    assert cancelled.cancelled and cancelled.lines == ()


@pytest.mark.parametrize("twice", [False, True])
def test_a_returned_self_check_comes_back_as_submitted(
    laptop: tuple[DataLocation, Database],
    office: Database,
    tmp_path: Path,
    twice: bool,
    office_identity: Identity,
) -> None:
    good = handed_in(laptop, tmp_path / "u盘")
    import_submission(office, good, identity=office_identity)
    with office.transaction() as s:
        row = s.get(SelfCheck, office_check(office).id)
        assert row is not None
        row.state = SelfCheckState.RETURNED
    location, db = laptop
    view = staff.load_own_self_check(db, location)
    staff.set_overall_analysis(db, view.id, "补充：根子在于宗旨意识淡化。")
    second = staff.hand_in(db, location, tmp_path / "u盘")
    report = import_submissions(
        office, [second, second] if twice else [second], identity=office_identity
    )
    assert report.lines[0].outcome is Outcome.REPLACED
    if twice:
        assert report.lines[1:] == ()  # the same path once only
    assert office_check(office).state is SelfCheckState.SUBMITTED
    assert office_check(office).overall_analysis == "补充：根子在于宗旨意识淡化。"


def test_ids_that_clash_with_someone_elses_rows_are_refused(
    laptop: tuple[DataLocation, Database],
    office: Database,
    tmp_path: Path,
    office_identity: Identity,
    rewrite: Callable[..., Path],
) -> None:
    good = handed_in(laptop, tmp_path / "u盘")
    with office.read() as s:
        others = s.scalars(
            select(Problem.id)
            .join(Member, Member.id == Problem.owner_member_id)
            .where(Member.name != "陈喆")
            .limit(1)
        ).one()
    clash = rewrite(
        good,
        tmp_path / "冲突.mjsubmission",
        lambda d: d["problems"][0].update(id=str(others)),
    )
    before = audit_length(office)
    line = import_submission(office, clash, identity=office_identity)
    assert line.outcome is Outcome.REFUSED and "冲突" in line.detail, line.text
    assert audit_length(office) == before
    assert import_submission(office, good, identity=office_identity).outcome is Outcome.IMPORTED


def _table_rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    from sqlalchemy import text

    skip = {"created_at", "updated_at", "submitted_at", "deleted_at"}
    found: dict[str, list[tuple[Any, ...]]] = {}
    with db.read() as s:
        for table in ("self_check", "answer", "study_record", "problem", "root_cause", "measure"):
            result = s.execute(text(f"SELECT * FROM {table}"))
            names = list(result.keys())
            keys = [k for k in names if k not in skip and not (table == "answer" and k == "id")]
            found[table] = sorted(
                (tuple(str(dict(r._mapping)[k]) for k in keys) for r in result), key=str
            )
        audit = s.execute(
            text(
                "SELECT entity, action, changes FROM audit_entry WHERE entity IN "
                "('self_check','answer','study_record','problem','root_cause','measure')"
            )
        ).all()
    entries = []
    for entity, action, changes in audit:
        values = json.loads(changes) if isinstance(changes, str) else dict(changes)
        for key in ("created_at", "updated_at", "submitted_at", "deleted_at"):
            values.pop(key, None)
        if entity == "answer":
            values.pop("id", None)
        entries.append((entity, action, json.dumps(values, sort_keys=True, ensure_ascii=False)))
    found["audit"] = sorted(entries)
    return found


def _counting(fn: Any, calls: list[object]) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1][0][0])
        return fn(*args, **kwargs)

    return wrapper


def test_the_fast_first_import_stores_what_adding_the_objects_would(
    tmp_path: Path, campaign_file: Path, monkeypatch: pytest.MonkeyPatch, office_identity: Identity
) -> None:
    """_insert_new writes rows table by table; the reference adds ORM objects."""
    import shutil

    from mingjing.config import resolve_location
    from mingjing.services import submissions
    from mingjing.services.campaigns import join_campaign

    # 彭立新 has not started in the demo: the office holds nothing of his.
    location = resolve_location(tmp_path / "laptop-peng")
    db = Database.open(location, actor="彭立新")
    join_campaign(db, location, campaign_file, "彭立新")
    view = staff.load_own_self_check(db, location)
    staff.add_study_record(db, view.id, topic="学习实施方案", note="逐条对照")
    good = handed_in((location, db), tmp_path / "u盘")
    db.close()
    office_dir = tmp_path / "office"
    shutil.copytree(office_dir, tmp_path / "office-orm")
    fast = Database.open(resolve_location(office_dir), actor="办公室")
    calls: list[object] = []
    monkeypatch.setattr(submissions, "insert_rows", _counting(submissions.insert_rows, calls))
    before = audit_length(fast)
    assert import_submission(fast, good, identity=office_identity).outcome is Outcome.IMPORTED
    assert len(calls) == 1  # the fast path was taken

    def by_objects(session: Any, incoming: Any, check_id: Any, values: Any) -> None:
        row = SelfCheck(
            id=check_id,
            campaign_id=incoming.campaign_id,
            member_id=incoming.member_id,
            answers=[],
            study_records=[],
            **values,
        )
        session.add(row)
        submissions._replace_content(session, incoming, row, new=True)

    monkeypatch.setattr(submissions, "_insert_new", by_objects)
    reference = Database.open(resolve_location(tmp_path / "office-orm"), actor="办公室")
    assert import_submission(reference, good, identity=office_identity).outcome is Outcome.IMPORTED
    ours, theirs = _table_rows(fast), _table_rows(reference)
    assert ours["problem"] and theirs["audit"]
    for table in theirs:
        if table != "audit":
            assert ours[table] == theirs[table], table
    # The trail: one import entry holding the file's data, not an entry a row,
    # and the member's key pinned with it.
    with fast.read() as session:
        added = session.scalars(select(AuditEntry).where(AuditEntry.seq > before)).all()
    assert [(e.entity, e.action) for e in added] == [
        ("self_check", "import"),
        ("member", "update"),
    ]
    assert set(added[1].changes) == {"public_keys"}
    recorded = added[0].changes
    package = read_package(good, expected_kind="submission", identity=office_identity)
    assert recorded["data"] == package.data
    assert recorded["sha256"] == data_sha256(package.data)
    assert (recorded["file"], recorded["revision"]) == (good.name, package.manifest.revision)
    with fast.read() as session:
        assert verify_chain(session)[1] is None
    fast.close()
    reference.close()


def test_import_on_both_dialects(
    any_db: Database, tmp_path: Path, office_identity: Identity
) -> None:
    """A first import (rows inserted table by table), then a replacement, on both dialects."""
    import datetime as dt

    from mingjing.config import resolve_location
    from mingjing.services.campaigns import export_campaign, join_campaign
    from mingjing.services.demo import create_demo

    create_demo(any_db, today=dt.date(2025, 11, 20))
    package = export_campaign(any_db, tmp_path, office_identity)
    location = resolve_location(tmp_path / "laptop")
    db = Database.open(location, actor="彭立新")
    join_campaign(db, location, package, "彭立新")
    first = handed_in((location, db), tmp_path / "u盘")
    assert import_submission(any_db, first, identity=office_identity).outcome is Outcome.IMPORTED
    view = staff.load_own_self_check(db, location)
    staff.set_overall_analysis(db, view.id, "补充剖析。")
    second = staff.hand_in(db, location, tmp_path / "u盘")
    db.close()
    assert import_submission(any_db, second, identity=office_identity).outcome is Outcome.REPLACED
    assert import_submission(any_db, first, identity=office_identity).outcome is Outcome.REFUSED
    assert office_check(any_db, "彭立新").overall_analysis == "补充剖析。"
    with any_db.read() as s:
        checked, problem = verify_chain(s)
        assert checked > 100 and problem is None


def test_handing_in_again_without_changes_keeps_the_revision(
    laptop: tuple[DataLocation, Database],
    office: Database,
    tmp_path: Path,
    office_identity: Identity,
) -> None:
    location, db = laptop
    first = handed_in(laptop, tmp_path / "u盘")
    assert staff.hand_in(db, location, tmp_path / "u盘") == first  # already there
    again = staff.hand_in(db, location, tmp_path / "另一个U盘")
    assert again.name == first.name and again != first  # the same revision, made anew
    assert staff.load_own_self_check(db, location).submission_revision == 1
    assert import_submission(office, first, identity=office_identity).outcome is Outcome.IMPORTED
    assert import_submission(office, again, identity=office_identity).outcome is Outcome.UNCHANGED
    view = staff.load_own_self_check(db, location)
    staff.set_overall_analysis(db, view.id, "新增的剖析。")
    changed = staff.hand_in(db, location, tmp_path / "u盘")
    assert changed.name.endswith("第2次.mjsubmission")
    assert import_submission(office, changed, identity=office_identity).outcome is Outcome.REPLACED


def test_personal_matters_and_talks_travel_in_the_hand_in(
    laptop: tuple[DataLocation, Database],
    office: Database,
    tmp_path: Path,
    office_identity: Identity,
) -> None:
    location, db = laptop
    view = staff.load_own_self_check(db, location)
    staff.set_personal_matters(db, view.id, "本人已如实报告个人有关事项，无需要说明的事项。")
    staff.add_study_record(db, view.id, form="talk", topic="与李某某同志")
    line = import_submission(office, handed_in(laptop, tmp_path / "u盘"), identity=office_identity)
    assert line.outcome is Outcome.IMPORTED, line.text
    row = office_check(office)
    assert row.personal_matters == "本人已如实报告个人有关事项，无需要说明的事项。"
    with office.read() as s:
        forms = {
            r.form.value: r.topic
            for r in s.scalars(select(StudyRecord)).all()
            if r.self_check_id == row.id
        }
    assert forms.get("talk") == "与李某某同志"


def test_a_hand_in_from_before_personal_matters_still_imports(
    laptop: tuple[DataLocation, Database],
    office: Database,
    tmp_path: Path,
    office_identity: Identity,
    rewrite: Callable[..., Path],
) -> None:
    good = handed_in(laptop, tmp_path / "u盘")
    old = rewrite(
        good,
        tmp_path / "旧版.mjsubmission",
        lambda data: data["self_check"].pop("personal_matters"),
    )
    line = import_submission(office, old, identity=office_identity)
    assert line.outcome is Outcome.IMPORTED, line.text
    assert office_check(office).personal_matters == ""


def test_a_hand_in_signed_with_another_key_is_refused_until_registered(
    laptop: tuple[DataLocation, Database],
    office: Database,
    tmp_path: Path,
    office_identity: Identity,
    rewrite: Callable[..., Path],
) -> None:
    """The first hand-in pins the member's key; one signed by anyone else (a
    forger, or the member on a new computer) is refused until the office
    registers the new key."""
    from mingjing.services.roster import forget_member_keys

    good = handed_in(laptop, tmp_path / "u盘")
    first = import_submission(office, good, identity=office_identity)
    assert first.outcome is Outcome.IMPORTED
    # The first key is pinned, and said so to be checked with the member.
    laptop_key = load_identity(tmp_path / "laptop").public.fingerprint
    assert f"首次登记其电脑的密钥，指纹 {laptop_key}" in first.detail
    other = Identity.generate()
    forged = rewrite(
        good,
        tmp_path / "冒名.mjsubmission",
        lambda d: d["problems"][0].update(text="冒名顶替写的问题"),
        identity=other,
        revision=2,
    )
    before = audit_length(office)
    line = import_submission(office, forged, identity=office_identity)
    assert line.outcome is Outcome.REFUSED
    assert other.public.fingerprint in line.detail and "重新登记密钥" in line.detail
    assert audit_length(office) == before
    assert all(p.text != "冒名顶替写的问题" for p in live_problems(office))

    member = office_check(office).member_id
    forgotten = forget_member_keys(office, str(member))
    assert forgotten == load_identity(tmp_path / "laptop").public.fingerprint
    again = import_submission(office, forged, identity=office_identity)
    assert again.outcome is Outcome.REPLACED, again.text
    with office.read() as s:
        assert verify_chain(s)[1] is None


def test_a_unit_that_turns_sealing_off_gets_unsealed_hand_ins_that_say_so(
    office: Database, tmp_path: Path, office_identity: Identity
) -> None:
    from dataclasses import replace

    from mingjing.config import resolve_location
    from mingjing.services.campaign_setup import current_campaign_id, load_setup, update_campaign
    from mingjing.services.campaigns import export_campaign, join_campaign

    cid = current_campaign_id(office)
    assert cid is not None
    update_campaign(office, cid, replace(load_setup(office, cid), seal_hand_ins=False))
    assert load_setup(office, cid).seal_hand_ins is False
    campaign_file = export_campaign(office, tmp_path / "unsealed", office_identity)
    location = resolve_location(tmp_path / "open-laptop")
    db = Database.open(location, actor="陈喆")
    join_campaign(db, location, campaign_file, "陈喆")
    out = staff.hand_in(db, location, tmp_path / "u")
    package = read_package(out)  # no key needed: anyone holding the stick can read it
    assert not package.sealed and package.data["unsealed_by_unit"] is True
    assert import_submission(office, out, identity=office_identity).outcome is Outcome.IMPORTED
    again = staff.hand_in(db, location, tmp_path / "u2")
    assert import_submission(office, again, identity=office_identity).outcome is Outcome.UNCHANGED
    db.close()
    # Back on: an unsealed file is refused again, and nothing changes.
    update_campaign(office, cid, replace(load_setup(office, cid), seal_hand_ins=True))
    before = office_check(office).revision
    line = import_submission(office, again, identity=office_identity)
    assert line.outcome is Outcome.REFUSED and "没有加密" in line.text
    assert office_check(office).revision == before
