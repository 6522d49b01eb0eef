"""The command line's verbs and exit codes (0, 1, 2, 3, 4)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mingjing import cli
from mingjing.config import resolve_location

ROOT = Path(__file__).resolve().parents[1]


def run(data: Path, *args: str) -> tuple[int, str, str]:
    """Run the CLI in a subprocess, the way a user does."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "desktop") + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", "mingjing", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_demo_summary_check_backup_restore(tmp_path: Path) -> None:
    data = tmp_path / "data"
    code, out, err = run(data, "demo")
    assert code == 0, err
    assert "已生成示例单位" in out
    code, out, _ = run(data, "summary")
    assert code == 0 and "整改台账" in out and "岚川县" in out
    code, out, _ = run(data, "summary", "--json")
    assert json.loads(out)["members"] == 12
    code, out, _ = run(data, "check")
    assert code == 0 and "完好" in out
    backup_file = tmp_path / "备份.sqlite3"
    code, out, _ = run(data, "backup", "--out", str(backup_file))
    assert code == 0 and backup_file.exists()
    code, out, _ = run(data, "restore", str(backup_file))
    assert code == 0 and "恢复前的数据库已另存为" in out
    code, _, err = run(data, "demo")
    assert code == 3 and "--force" in err


def test_usage_errors_exit_2_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["--data-dir", str(tmp_path), "nosuchverb"])
    assert info.value.code == 2


@pytest.mark.parametrize("verb", [["summary"], ["check"], ["demo"], ["backup"]])
def test_newer_database_is_refused_by_every_command(tmp_path: Path, verb: list[str]) -> None:
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "summary"]) == 0
    db_file = resolve_location(data).sqlite_path
    assert db_file is not None
    con = sqlite3.connect(db_file)
    con.execute("UPDATE alembic_version SET version_num = 'zzzz_newer'")
    con.commit()
    con.close()
    before = hashlib.sha256(db_file.read_bytes()).hexdigest()
    assert cli.main(["--data-dir", str(data), *verb]) == 3
    assert hashlib.sha256(db_file.read_bytes()).hexdigest() == before
    assert not Path(str(db_file) + "-wal").exists()


def test_check_exits_4_on_a_broken_chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "demo"]) == 0
    db_file = resolve_location(data).sqlite_path
    assert db_file is not None
    con = sqlite3.connect(db_file)
    con.execute("DELETE FROM audit_entry WHERE seq = 5")
    con.commit()
    con.close()
    capsys.readouterr()
    assert cli.main(["--data-dir", str(data), "check"]) == 4
    assert "审计记录链断裂" in capsys.readouterr().out


def test_unexpected_error_exits_1_and_names_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mingjing.services import summary

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(summary, "summarize", broken)
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "summary"]) == 1
    err = capsys.readouterr().err
    log_file = resolve_location(data).log_file
    assert str(log_file) in err
    assert "RuntimeError: a bug" in log_file.read_text(encoding="utf-8")


def test_restore_of_a_damaged_file_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "demo"]) == 0
    damaged = tmp_path / "坏文件.sqlite3"
    damaged.write_bytes(b"not a database at all")
    assert cli.main(["--data-dir", str(data), "restore", str(damaged)]) == 3
    assert "坏文件.sqlite3" in capsys.readouterr().err


def test_database_option_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "elsewhere" / "db.sqlite3"
    assert cli.main(["--database", f"sqlite:///{target}", "summary"]) == 0
    assert target.exists()
    monkeypatch.setenv("MINGJING_DATA_DIR", str(tmp_path / "env-data"))
    assert cli.main(["summary"]) == 0
    assert (tmp_path / "env-data" / "mingjing.sqlite3").exists()


def test_refusals_name_the_problem_and_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "demo"]) == 0
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    cases = [
        (["--data-dir", str(a_file), "summary"], "是一个文件，不是文件夹"),
        (["--database", "nonsense", "summary"], "格式不对或不受支持"),
        (["--database", "mysql://x@h/db", "summary"], "格式不对或不受支持"),
        (["--data-dir", str(data), "restore", str(tmp_path)], "是一个文件夹"),
        (
            ["--data-dir", str(data), "restore", str(data / "mingjing.sqlite3")],
            "不能用它恢复自己",
        ),
    ]
    for argv, words in cases:
        capsys.readouterr()
        assert cli.main(argv) == 3, argv
        err = capsys.readouterr().err
        assert words in err, err
        assert "Traceback" not in err
    capsys.readouterr()
    cli.main(["--data-dir", str(data), "restore", str(tmp_path)])
    assert "当前数据库未作改动" in capsys.readouterr().err


def test_backup_out_folder_and_existing_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "demo"]) == 0
    folder = tmp_path / "u盘"
    folder.mkdir()
    assert cli.main(["--data-dir", str(data), "backup", "--out", str(folder)]) == 0
    made = list(folder.glob("明镜数据备份-*.sqlite3"))
    assert len(made) == 1
    assert not list(folder.glob("*.partial"))
    assert cli.main(["--data-dir", str(data), "backup", "--out", str(made[0])]) == 3


def test_global_options_after_the_verb_and_chinese_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert cli.main(["summary", "--data-dir", str(data)]) == 0
    assert (data / "mingjing.sqlite3").exists()
    with pytest.raises(SystemExit):
        cli.main(["frobnicate"])
    err = capsys.readouterr().err
    assert "用法：" in err and "没有这个命令：frobnicate" in err
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert "用法：" in out and "选项" in out
    assert "usage:" not in out and "options:" not in out


def test_campaign_export_and_join(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    office, laptop, outbox = tmp_path / "office", tmp_path / "laptop", tmp_path / "u盘"
    outbox.mkdir()
    assert cli.main(["--data-dir", str(office), "demo"]) == 0
    assert cli.main(["--data-dir", str(office), "campaign", "export", "--out", str(outbox)]) == 0
    (package,) = outbox.glob("*.mjcampaign")
    capsys.readouterr()
    assert cli.main(["--data-dir", str(laptop), "campaign", "join", str(package)]) == 0
    assert "陈喆（农田建设管理股股长）" in capsys.readouterr().out
    assert (
        cli.main(["--data-dir", str(laptop), "campaign", "join", str(package), "--member", "陈喆"])
        == 0
    )
    assert "本机使用人：陈喆" in capsys.readouterr().out
    junk = tmp_path / "坏文件.mjcampaign"
    junk.write_bytes(b"\x00" * 100)
    assert cli.main(["--data-dir", str(laptop), "campaign", "join", str(junk)]) == 3
    assert "坏文件.mjcampaign" in capsys.readouterr().err


def test_submission_export_after_joining(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office, laptop = tmp_path / "office", tmp_path / "laptop"
    assert cli.main(["--data-dir", str(office), "demo"]) == 0
    assert cli.main(["--data-dir", str(office), "campaign", "export", "--out", str(tmp_path)]) == 0
    (package,) = tmp_path.glob("*.mjcampaign")
    assert (
        cli.main(["--data-dir", str(laptop), "submission", "export", "--out", str(tmp_path)]) == 3
    )
    assert "还没有加入专项行动" in capsys.readouterr().err
    assert (
        cli.main(["--data-dir", str(laptop), "campaign", "join", str(package), "--member", "孙珺"])
        == 0
    )
    assert (
        cli.main(["--data-dir", str(laptop), "submission", "export", "--out", str(tmp_path)]) == 0
    )
    handed = tmp_path / "孙珺-自查材料-第1次.mjsubmission"
    assert handed.exists()

    # At the office: the file, the same file again, and a broken one beside it.
    capsys.readouterr()
    assert cli.main(["--data-dir", str(office), "submission", "import", str(handed)]) == 0
    out = capsys.readouterr().out
    assert "已导入　孙珺：第 1 次提交" in out and "已导入 1 份" in out
    broken = tmp_path / "u盘" / "坏的.mjsubmission"
    broken.parent.mkdir()
    broken.write_bytes(handed.read_bytes()[:200])
    args = ["--data-dir", str(office), "submission", "import", str(handed), str(broken.parent)]
    assert cli.main(args) == 3
    out = capsys.readouterr().out
    assert "未变　孙珺" in out and "坏的.mjsubmission　已拒绝" in out
    assert "未变 1 份，已拒绝 1 份" in out
    copy = tmp_path / "另一个U盘" / handed.name
    copy.parent.mkdir()
    copy.write_bytes(handed.read_bytes())
    args = ["--data-dir", str(office), "submission", "import", str(handed), str(copy)]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert f"另一个U盘/{handed.name}　未变" in out and f"{tmp_path.name}/{handed.name}　未变" in out
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    assert cli.main(["--data-dir", str(office), "submission", "import", str(empty)]) == 3
    assert "没有自查提交文件" in capsys.readouterr().err


def test_reply_open_refuses_a_stranger_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "回复.mjreply"
    junk.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    assert cli.main(["--data-dir", str(tmp_path / "d"), "reply", "open", str(junk)]) == 3
    assert "回复.mjreply" in capsys.readouterr().err


def _sheet(path: Path, rows: list[list[str]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _summary_json(data: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, int]:
    capsys.readouterr()
    assert cli.main(["--data-dir", str(data), "summary", "--json"]) == 0
    result: dict[str, int] = json.loads(capsys.readouterr().out)
    return result


def test_roster_import_prints_issues_and_strict_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "demo"]) == 0
    rows = [
        ["干部名单"],
        ["姓名", "职务", "部门", "是否班子成员"],
        ["周八", "科员", "办公室", "否"],
        ["", "科员", "办公室", ""],
        ["吴九", "副局长", "局领导", "也许"],
        ["周八", "科员", "办公室", ""],
    ]
    path = _sheet(tmp_path / "名单.xlsx", rows)
    before = _summary_json(data, capsys)["members"]
    assert cli.main(["--data-dir", str(data), "roster", "import", str(path), "--strict"]) == 3
    err = capsys.readouterr().err
    assert "已拒绝" in err and "第 4 行（办公室，科员）：姓名为空" in err
    assert "第 6 行 周八：与第 3 行重复" in err
    assert _summary_json(data, capsys)["members"] == before
    assert cli.main(["--data-dir", str(data), "roster", "import", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "第 4 行（办公室，科员）：姓名为空"
    assert out[1].startswith("第 5 行 吴九：是否班子成员写的是“也许”")
    assert out[-1] == "已导入 1 人，跳过 3 行。"
    assert _summary_json(data, capsys)["members"] == before + 1
    junk = tmp_path / "名单.xls"
    junk.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert cli.main(["--data-dir", str(data), "roster", "import", str(junk)]) == 3
    assert "名单.xls" in capsys.readouterr().err


def test_opinion_import_says_what_it_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "demo"]) == 0
    rows = [
        ["对象", "意见内容", "提出人"],
        ["领导班子", "会议太多", "某某某"],
        ["不存在的人", "意见", ""],
    ]
    path = _sheet(tmp_path / "意见.xlsx", rows)
    argv = ["--data-dir", str(data), "opinion", "import", str(path)]
    capsys.readouterr()
    assert cli.main(argv) == 3
    assert "没有“渠道”列" in capsys.readouterr().err
    before = _summary_json(data, capsys)["opinions"]
    assert cli.main([*argv, "--channel", "座谈会", "--strict"]) == 3
    assert "第 3 行" in capsys.readouterr().err
    assert cli.main([*argv, "--channel", "座谈会"]) == 0
    out = capsys.readouterr().out
    assert "已忽略“提出人”列" in out and "某某某" not in out
    assert "第 3 行 “意见”：名单中没有“不存在的人”" in out
    assert out.splitlines()[-1] == "已导入 1 条意见，跳过 1 行。"
    assert _summary_json(data, capsys)["opinions"] == before + 1


def test_campaign_create_then_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    office = str(tmp_path / "office")
    base = ["--data-dir", office, "campaign", "create", "--unit", "青山县林业局"]
    assert cli.main([*base, "--start", "2026-12-01", "--end", "2026-10-01"]) == 3
    assert "晚于" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        cli.main([*base, "--start", "九月一日"])
    assert exited.value.code == 2
    assert "不是日期" in capsys.readouterr().err
    typo = tmp_path / "模板.yaml"
    typo.write_text("format: 1\nid: x\nversoin: 1\n", encoding="utf-8")
    assert cli.main([*base, "--template", str(typo)]) == 3
    assert "模板.yaml" in capsys.readouterr().err
    assert cli.main([*base, "--doc-number", "青林发〔2026〕9号"]) == 0
    assert "已建立“青山县林业局”" in capsys.readouterr().out
    assert cli.main([*base, "--title", "第二轮"]) == 3  # not by mistake
    assert "本机已有专项行动" in capsys.readouterr().err
    assert cli.main([*base, "--title", "第二轮", "--new"]) == 0
    sheet = tmp_path / "名单.csv"
    sheet.write_text("姓名,职务,部门\n王芳,科员,办公室\n", encoding="utf-8")
    assert cli.main(["--data-dir", office, "roster", "import", str(sheet)]) == 0
    assert cli.main(["--data-dir", office, "campaign", "export", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "青山县林业局-专项行动.mjcampaign").exists()


def test_ledger_export_and_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "demo"]) == 0
    capsys.readouterr()
    assert cli.main(["--data-dir", str(data), "ledger", "export", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    exported = next(tmp_path.glob("*整改台账*.xlsx"))
    assert str(exported) in out
    rows = [
        ["序号", "存在问题", "整改措施", "时限"],
        [1, "公文办理拖沓", "建立公文办理时限提醒", "12月底"],
        [2, "调研不深入", "", "2026-03-31"],
    ]
    path = _sheet(tmp_path / "旧台账.xlsx", rows)
    argv = ["--data-dir", str(data), "ledger", "import", str(path)]
    assert cli.main([*argv, "--strict"]) == 3
    assert "第 3 行 调研不深入：缺少整改措施" in capsys.readouterr().err
    assert cli.main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "第 3 行 调研不深入：缺少整改措施" in lines
    assert any("12月底" in line and "（提示）" in line for line in lines)
    assert lines[-1] == "已导入 1 项整改，跳过 1 行。"
    # The exported ledger is already in: every row is skipped, nothing doubled.
    assert cli.main(["--data-dir", str(data), "ledger", "import", str(exported)]) == 0
    assert "已导入 0 项整改" in capsys.readouterr().out


def test_render_writes_the_material_and_refuses_a_bad_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "demo"]) == 0
    out = tmp_path / "材料" / "陈喆.pdf"
    args = ["--data-dir", str(data), "render", "statement", "--member", "陈喆", "--out", str(out)]
    capsys.readouterr()
    assert cli.main(args) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert "已生成个人对照检查材料" in capsys.readouterr().out
    word = tmp_path / "台账.docx"
    assert cli.main(["--data-dir", str(data), "render", "ledger", "--out", str(word)]) == 0
    assert word.read_bytes().startswith(b"PK")
    assert (
        cli.main(["--data-dir", str(data), "render", "ledger", "--out", str(tmp_path / "x.txt")])
        == 3
    )
    assert ".pdf 或 .docx" in capsys.readouterr().err
    bad = ["--data-dir", str(data), "render", "statement", "--member", "无此人", "--out", str(out)]
    assert cli.main(bad) != 0
    assert "名单中没有“无此人”" in capsys.readouterr().err


def test_a_package_file_is_told_from_a_command() -> None:
    from mingjing.cli import split_package

    assert split_package(["x.mjcampaign"]) == ([], Path("x.mjcampaign"))
    assert split_package(["--data-dir", "a.mjreply", "B.MJSUBMISSION"]) == (
        ["--data-dir", "a.mjreply"],
        Path("B.MJSUBMISSION"),
    )
    assert split_package(["demo", "--force"]) == (["demo", "--force"], None)
    # A command's own file argument stays the command's.
    assert split_package(["campaign", "join", "x.mjcampaign"])[1] is None


def test_a_package_file_and_a_command_together_are_refused(tmp_path: Path) -> None:
    from mingjing.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["--data-dir", str(tmp_path), "x.mjcampaign", "summary"])
    assert exit_.value.code == 2


def test_review_round_trip_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Office → 孙珺's laptop → office with ``review export|import|settle``, in process."""
    from mingjing.services import leader_review as lr
    from mingjing.storage import Database

    office, laptop = tmp_path / "office", tmp_path / "laptop"

    def ok(*words: str) -> str:
        capsys.readouterr()
        code = cli.main(list(words))
        out, err = capsys.readouterr()
        assert code == 0, err
        return out

    ok("--data-dir", str(office), "demo")
    ok("--data-dir", str(office), "campaign", "export", "--out", str(tmp_path))
    (campaign,) = tmp_path.glob("*.mjcampaign")
    ok("--data-dir", str(laptop), "campaign", "join", str(campaign), "--member", "孙珺")
    ok("--data-dir", str(laptop), "submission", "export", "--out", str(tmp_path / "u"))
    ok("--data-dir", str(office), "submission", "import", str(tmp_path / "u"))
    said = ok(
        "--data-dir", str(office), "review", "export", "--for", "孙珺",
        "--out", str(tmp_path / "u"), "--no-materials",
    )  # fmt: skip
    assert "只有孙珺的电脑能打开" in said
    (review,) = (tmp_path / "u").glob("*.mjreview")
    assert "待销号" in ok("--data-dir", str(laptop), "review", "import", str(review))

    location = resolve_location(laptop)
    with Database.open(location, actor="孙珺") as db:
        opened = lr.current_review(location)
        assert opened is not None
        row = next(r for r in opened.awaiting_sign_off() if not opened.responsible_for(r))
        lr.record_action(db, location, opened, "approve", "rectification", row["id"], "同意。")
    ok("--data-dir", str(laptop), "review", "export", "--out", str(tmp_path / "u"))
    (reply,) = (tmp_path / "u").glob("*.mjreviewreply")
    assert "新采用 1 条" in ok("--data-dir", str(office), "review", "import", str(reply))
    assert "没有待确认" in ok("--data-dir", str(office), "review", "settle")
    # The same reply again is refused, naming the file; the office is unchanged.
    capsys.readouterr()
    assert cli.main(["--data-dir", str(office), "review", "import", str(reply)]) == 3
    assert reply.name in capsys.readouterr().err
    assert "领导审阅意见的签名" in ok("--data-dir", str(office), "check")


def test_password_set_unlock_change_recover_and_remove(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    assert run(data, "demo")[0] == 0
    code, out, _ = run(data, "password", "status")
    assert code == 0 and "没有设密码" in out
    monkeypatch.setenv("MINGJING_NEW_PASSWORD", "正确的密码123")
    code, out, err = run(data, "password", "set")
    assert code == 0, err
    recovery = out.split("恢复密钥：")[1].split()[0]
    assert len(recovery) == 69 and "分开保管" in out
    assert "岚川县".encode() not in (data / "mingjing.sqlite3").read_bytes()
    # Every command needs the password now; no terminal here, so it says how to give it.
    code, _, err = run(data, "summary")
    assert code == 3 and "MINGJING_PASSWORD" in err
    monkeypatch.setenv("MINGJING_PASSWORD", "错误的密码")
    code, _, err = run(data, "summary")
    assert code == 3 and "密码错误" in err
    monkeypatch.setenv("MINGJING_PASSWORD", "正确的密码123")
    code, out, _ = run(data, "summary")
    assert code == 0 and "岚川县" in out
    code, out, _ = run(data, "check")
    assert code == 0 and "完好" in out
    code, out, _ = run(data, "password", "recovery-key")
    assert code == 0 and recovery in out
    # Forgotten: the recovery key and a new password.
    monkeypatch.setenv("MINGJING_RECOVERY_KEY", recovery)
    monkeypatch.setenv("MINGJING_NEW_PASSWORD", "新的密码456")
    code, out, err = run(data, "password", "recover")
    assert code == 0 and "新密码" in out, err
    code, _, err = run(data, "summary")
    assert code == 3 and "密码错误" in err
    monkeypatch.setenv("MINGJING_PASSWORD", "新的密码456")
    code, out, _ = run(data, "password", "remove")
    assert code == 0 and "不加密" in out
    monkeypatch.delenv("MINGJING_PASSWORD")
    assert (data / "mingjing.sqlite3").read_bytes().startswith(b"SQLite format 3")
    code, out, _ = run(data, "summary")
    assert code == 0 and "岚川县" in out
