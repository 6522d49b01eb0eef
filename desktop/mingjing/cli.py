"""The command line: ``mingjing [--data-dir D] [--database URL] [VERB …]``.

Without a verb the program window opens. Every verb calls the same services
as the window. Exit codes are part of the interface:

- 0 done;
- 1 an unexpected error (a bug): the message names the log file;
- 2 the command line was wrong;
- 3 the input was refused and nothing was changed;
- 4 ``check`` found problems.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import logging.handlers
import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from mingjing import __version__
from mingjing.config import DataLocation, resolve_location
from mingjing.domain.errors import DomainError
from mingjing.storage.errors import EnvironmentFault, InputRefused

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_CHECK_FAILED = 4

log = logging.getLogger("mingjing")


class _Formatter(argparse.HelpFormatter):
    def add_usage(
        self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None
    ) -> None:
        super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)

    def format_help(self) -> str:
        # Section headings (选项, 命令…) take a full-width colon, as 用法： does.
        return re.sub(r"(?m)^(\S[^\n]*):$", r"\1：", super().format_help())

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction):
            # The commands themselves, without the "命令" line argparse puts above them.
            return "".join(
                self._format_action(sub) for sub in self._iter_indented_subactions(action)
            )
        return super()._format_action(action)


_CHOICE = re.compile(
    r"argument (?P<arg>[^:]+): invalid choice: '(?P<bad>[^']*)' \(choose from (?P<ok>.*)\)"
)


class _Parser(argparse.ArgumentParser):
    """argparse with its messages in Chinese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        choice = _CHOICE.match(message)
        if choice is not None:
            allowed = "、".join(re.findall(r"'([^']*)'", choice.group("ok")))
            what = "命令" if choice.group("arg") == "命令" else f"{choice.group('arg')} 的取值"
            message = f"没有这个{what}：{choice.group('bad')}。可用的有：{allowed}"
        else:
            message = (
                message.replace("the following arguments are required", "缺少参数")
                .replace("unrecognized arguments", "无法识别的参数")
                .replace("expected one argument", "需要一个参数值")
                .replace("argument ", "参数 ")
            )
        self.exit(EXIT_USAGE, f"{self.prog}：错误：{message}\n")


def _global_options(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="文件夹",
        default=default,
        help="数据文件夹（默认为本机用户数据文件夹；也可用 MINGJING_DATA_DIR）",
    )
    parser.add_argument(
        "--database",
        metavar="地址",
        default=default,
        help="数据库地址，如 postgresql+psycopg://用户@服务器/库名"
        "（默认为数据文件夹中的 SQLite 文件）",
    )


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期，请写成 2026-09-01 的样子") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mingjing",
        description="明镜：单位自查自纠与整改落实工作程序。不带命令时打开程序窗口；"
        "给出一个明镜文件（.mjcampaign、.mjsubmission、.mjreply、.mjreview、.mjreviewreply）时，"
        "打开程序窗口并接着导入它（双击文件时即如此）。",
    )
    parser.add_argument(
        "--version", action="version", version=f"明镜 {__version__}", help="显示版本号并退出"
    )
    _global_options(parser, None)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="打开主窗口，等首页显示完毕后退出（用于测试和打包检查）",
    )
    # Global options are accepted after the command too ("mingjing summary --data-dir D").
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, argparse.SUPPRESS)
    common._optionals.title = "全局选项"
    sub = parser.add_subparsers(dest="verb", metavar="命令", parser_class=_Parser, title="命令")

    def verb(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, description=text, parents=[common])  # type: ignore[list-item]

    demo = verb("demo", "生成虚构的示例单位")
    demo.add_argument(
        "--size",
        choices=["small", "large"],
        default="small",
        help="small：12 人；large：2000 人（用于性能测试）",
    )
    demo.add_argument("--force", action="store_true", help="数据库已有数据时仍在旁边添加示例单位")

    summary = verb("summary", "显示当前专项行动的统计数字")
    summary.add_argument("--json", action="store_true", help="以 JSON 格式输出")

    verb("check", "检查数据库完整性和审计记录链")

    backup = verb("backup", "备份数据库")
    backup.add_argument(
        "--out",
        metavar="文件",
        type=Path,
        help="备份文件的保存位置，可以是文件或文件夹（默认存入数据文件夹的 backups）",
    )

    restore = verb("restore", "从备份恢复数据库（当前数据库会先另存一份）")
    restore.add_argument("file", metavar="备份文件", type=Path, help="要恢复的备份文件")

    password_text = "本机数据库的密码：设置、修改、取消、导出恢复密钥，或用恢复密钥找回"
    groups_password = verb("password", password_text).add_subparsers(
        dest="action", metavar="操作", parser_class=_Parser, title="操作", required=True
    )

    def password_action(name: str, text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = groups_password.add_parser(
            name,
            help=text,
            description=text,
            parents=[common],  # type: ignore[list-item]
        )
        return parser

    password_action("status", "本机数据库是否设了密码")
    password_action(
        "set", "设置密码：数据库、备份、佐证材料、留存材料和本机密钥都加密保存，并给出恢复密钥"
    )
    password_action("change", "修改密码（恢复密钥不变）")
    password_action("remove", "取消密码：数据库、备份、佐证材料和留存材料改回不加密保存")
    recovery_out = password_action("recovery-key", "再次显示恢复密钥（需要输入密码）")
    recovery_out.add_argument(
        "--out", metavar="文件", type=Path, help="同时把恢复密钥写入这个文本文件"
    )
    password_action("recover", "忘记密码时：用恢复密钥打开数据库并设置新密码")

    from mingjing.services.material_kinds import KINDS

    render = verb("render", "生成会议材料（PDF 按 GB/T 9704 排版，或可编辑的 Word 文件）")
    render.add_argument(
        "kind",
        metavar="材料",
        choices=list(KINDS),
        help="；".join(f"{key}：{label}" for key, label in KINDS.items()),
    )
    render.add_argument(
        "--out",
        metavar="文件",
        type=Path,
        required=True,
        help="保存为 .pdf 或 .docx（按扩展名）",
    )
    render.add_argument("--member", metavar="姓名", help="个人对照检查材料是谁的")
    render.add_argument(
        "--meeting", metavar="会议编号", help="会议方案、会议记录用哪次会议（默认最近一次）"
    )
    render.add_argument(
        "--anonymise", action="store_true", help="整改情况公示中不出现干部姓名和责任部门"
    )

    def action(group: str, group_text: str, name: str, text: str) -> argparse.ArgumentParser:
        """``mingjing GROUP NAME``: one action of a package verb (campaign, submission…)."""
        if group not in groups:
            groups[group] = verb(group, group_text).add_subparsers(
                dest="action", metavar="操作", parser_class=_Parser, title="操作", required=True
            )
        parser: argparse.ArgumentParser = groups[group].add_parser(
            name, help=text, description=text, parents=[common]
        )
        return parser

    def out_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--out", metavar="文件", type=Path, required=True, help="保存位置，可以是文件或文件夹"
        )

    groups: dict[str, Any] = {}
    campaign_text = "专项行动：办公室建立并导出专项行动文件，干部在自己的电脑上加入"
    create = action("campaign", campaign_text, "create", "建立专项行动（本机作为办公室使用）")
    create.add_argument("--unit", metavar="单位名称", required=True, help="如：青山县林业局")
    create.add_argument("--short-name", metavar="简称", default="", help="如：县林业局")
    create.add_argument("--title", metavar="名称", help="默认取自查表模板的名称")
    create.add_argument("--doc-number", metavar="文号", default="", help="如：青林发〔2026〕9号")
    create.add_argument("--start", metavar="日期", type=_iso_date, help="开始日期，如 2026-09-01")
    create.add_argument("--end", metavar="日期", type=_iso_date, help="结束日期，如 2026-12-31")
    create.add_argument(
        "--template", metavar="文件", type=Path, help="本单位的自查表模板（默认用内置模板）"
    )
    create.add_argument("--party-body", metavar="名称", default="", help="如：中共青山县林业局党组")
    create.add_argument(
        "--operator",
        metavar="姓名",
        default="",
        help="办公室经办人的姓名（写入审核回复和审计记录）",
    )
    create.add_argument(
        "--new", action="store_true", help="本机已有专项行动时，确认另建新一轮专项行动"
    )
    create.add_argument(
        "--no-sealing",
        action="store_true",
        help="干部的提交文件不加密给办公室（不建议：U盘丢失时可被他人阅读；文件中会注明）",
    )
    out_option(action("campaign", campaign_text, "export", "导出当前专项行动文件，分发给干部"))
    join = action("campaign", campaign_text, "join", "用办公室发来的专项行动文件加入")
    join.add_argument(
        "file", metavar="专项行动文件", type=Path, help="办公室发来的 .mjcampaign 文件"
    )
    join.add_argument("--member", metavar="姓名", help="名单中自己的姓名（重名时写“姓名（职务）”）")
    join.add_argument(
        "--switch", action="store_true", help="本机已有使用人时，确认改由 --member 指定的人使用"
    )
    join.add_argument(
        "--trust-new-key",
        metavar="指纹",
        default="",
        help="文件的签发密钥与本机登记的办公室密钥不同时，经电话核对后，写出信任的新密钥指纹",
    )
    out_option(
        action(
            "submission",
            "自查提交文件：干部提交给办公室",
            "export",
            "提交本人的自查材料，生成提交文件",
        )
    )
    submission_import = action(
        "submission",
        "自查提交文件：干部提交给办公室",
        "import",
        "办公室收取干部的提交文件（可一次给多个文件或文件夹）",
    )
    submission_import.add_argument(
        "files",
        metavar="文件",
        type=Path,
        nargs="+",
        help=".mjsubmission 文件，或存放它们的文件夹（含子文件夹）；"
        "有文件被拒绝时退出码为 3，其余文件照常导入",
    )
    reply_open = action(
        "reply", "审核回复文件：办公室发回给干部", "open", "打开办公室发回的审核回复"
    )
    reply_open.add_argument(
        "file", metavar="回复文件", type=Path, help="办公室发回的 .mjreply 文件"
    )
    review_text = "领导审阅：办公室导出审阅文件给领导，领导在自己的电脑上审阅后导出审阅意见"
    review_export = action(
        "review",
        review_text,
        "export",
        "办公室：用 --for 导出给某位领导的审阅文件；领导本机：不带 --for，导出审阅意见",
    )
    review_export.add_argument("--for", dest="leader", metavar="姓名", help="审阅文件给哪位领导")
    out_option(review_export)
    review_export.add_argument(
        "--no-materials", action="store_true", help="不附会议材料汇编的 PDF（导出更快）"
    )
    review_import = action(
        "review",
        review_text,
        "import",
        "打开审阅文件（领导本机），或导入领导的审阅意见（办公室）",
    )
    review_import.add_argument(
        "file", metavar="文件", type=Path, help=".mjreview 或 .mjreviewreply 文件"
    )
    review_import.add_argument(
        "--replies",
        metavar="文件夹",
        type=Path,
        help="领导退回返工时，给本人的审核回复文件存放在哪里（默认数据文件夹的 审核回复）",
    )
    settle = action(
        "review", review_text, "settle", "办公室：对审阅后内容已改动的意见，确认采用或不采用"
    )
    settle.add_argument("action_id", metavar="编号", nargs="?", help="意见编号；不写则列出待确认的")
    settle_choice = settle.add_mutually_exclusive_group()
    settle_choice.add_argument("--apply", action="store_true", help="采用")
    settle_choice.add_argument(
        "--skip", action="store_true", help="不采用（须用 --reason 写明理由）"
    )
    settle.add_argument("--reason", metavar="理由", default="", help="不采用的理由")
    strict_help = "表格中有任何一行需要改正时，整个文件都不导入（退出码 3）"
    roster_import = action(
        "roster", "干部名单", "import", "从 Excel（.xlsx）或 CSV 表格导入干部名单"
    )
    roster_import.add_argument(
        "file",
        metavar="表格文件",
        type=Path,
        help="表头要有“姓名”，可有“职务”“部门”“是否班子成员”；其他列不读",
    )
    roster_import.add_argument("--strict", action="store_true", help=strict_help)
    opinion_import = action(
        "opinion", "征求意见", "import", "从 Excel（.xlsx）或 CSV 表格导入征求到的意见"
    )
    opinion_import.add_argument(
        "file",
        metavar="表格文件",
        type=Path,
        help="表头要有“意见内容”，可有“渠道”“对象”“问题方面”“日期”；提出人、联系方式等列一律不读",
    )
    opinion_import.add_argument("--strict", action="store_true", help=strict_help)
    ledger_text = "整改台账：导出为 Excel，或导入已有的 Excel 台账"
    out_option(action("ledger", ledger_text, "export", "把整改台账导出为排好版的 Excel（.xlsx）"))
    ledger_import = action(
        "ledger", ledger_text, "import", "把已有的 Excel 整改台账（如上年度的）导入本专项行动"
    )
    ledger_import.add_argument(
        "file",
        metavar="表格文件",
        type=Path,
        help="表头要有“具体问题”“整改措施”（或常用的别名），可有责任领导、责任部门、"
        "完成时限、整改进展、销号情况等；其他列不读",
    )
    ledger_import.add_argument("--strict", action="store_true", help=strict_help)
    opinion_import.add_argument(
        "--channel",
        metavar="渠道",
        help="表格没有“渠道”列或某行未填时用的渠道：座谈会、问卷调查、意见箱、个别谈话",
    )
    return parser


def setup_logging(location: DataLocation) -> Path | None:
    """Log to ``logs/mingjing.log`` in the data folder; None if it cannot be written."""
    try:
        location.logs_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            location.log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        # No log file: keep tracebacks off the terminal (logging's last-resort
        # handler would print them there); the message says the log is missing.
        logging.getLogger().addHandler(logging.NullHandler())
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "mingjing_log", False)]:
        root.removeHandler(old)
        old.close()
    handler.mingjing_log = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return location.log_file


def _print(text: str) -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


PASSWORD_ENV = "MINGJING_PASSWORD"
NEW_PASSWORD_ENV = "MINGJING_NEW_PASSWORD"
RECOVERY_ENV = "MINGJING_RECOVERY_KEY"


def _ask_secret(env: str, prompt: str, *, confirm: bool = False, why: str = "") -> str:
    """A secret from the environment variable ``env``, or typed at the terminal (hidden).

    ``why`` opens the refusal when there is no terminal to type it at.
    """
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise InputRefused(
            f"{why or '需要' + prompt.rstrip('：')}：请在终端中运行以便输入，或设置环境变量 {env}。"
        )
    import getpass

    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("再输入一次：") != first:
        raise InputRefused("两次输入的密码不一样，未作改动。")
    return first


def unlock_if_needed(location: DataLocation) -> None:
    """Ask for the password of an encrypted database before any command opens it."""
    from mingjing.services import protection

    state = protection.status(location)
    if state.password_set and not state.unlocked:
        protection.unlock(location, _ask_secret(PASSWORD_ENV, "数据库密码："))


def run_password(args: argparse.Namespace, location: DataLocation) -> int:
    from mingjing.services import protection

    state = protection.status(location)
    where = location.describe()
    if args.action == "status":
        if not state.available:
            _print(f"数据库 {where} 在服务器上，由服务器管理员保护。")
        elif state.password_set:
            _print(f"数据库 {where} 已设密码，加密保存。")
        else:
            _print(f"数据库 {where} 没有设密码。")
        return EXIT_OK
    if args.action == "set":
        if state.password_set:
            raise InputRefused(
                f"数据库 {where} 已经设了密码；要换密码请用“mingjing password change”。"
            )
        with _held(location):
            code = protection.set_password(
                location, _ask_secret(NEW_PASSWORD_ENV, "新密码：", confirm=True)
            )
        _print(
            f"已为数据库 {where} 设置密码。数据库、数据文件夹中的备份、佐证材料、"
            "留存的打印材料和本机的签名密钥都已加密保存。"
        )
        _print(f"恢复密钥：{code}")
        _print(
            "请把恢复密钥抄下或打印出来，和电脑分开保管。忘记密码又没有恢复密钥，数据将无法读取。"
        )
        return EXIT_OK
    if not state.password_set and args.action != "recover":
        raise InputRefused(f"数据库 {where} 没有设密码。")
    if args.action == "change":
        old = _ask_secret(PASSWORD_ENV, "原密码：")
        new = _ask_secret(NEW_PASSWORD_ENV, "新密码：", confirm=True)
        with _held(location):
            protection.change_password(location, old, new)
        _print("密码已修改。恢复密钥不变。")
        return EXIT_OK
    if args.action == "remove":
        with _held(location):
            protection.remove_password(location, _ask_secret(PASSWORD_ENV, "密码："))
        _print(f"已取消密码。数据库 {where} 及其备份、佐证材料和留存材料改为不加密保存。")
        return EXIT_OK
    if args.action == "recovery-key":
        password = _ask_secret(PASSWORD_ENV, "密码：")
        if args.out is not None:
            out = args.out
            if out.is_dir():
                out = out / f"明镜恢复密钥-{dt.date.today():%Y%m%d}.txt"
            out = protection.save_recovery_key(location, password, out)
            _print(f"恢复密钥已写入 {out}。请把它和电脑分开保管。")
        else:
            _print(f"恢复密钥：{protection.recovery_key(location, password)}")
        return EXIT_OK
    if args.action == "recover":
        code = _ask_secret(RECOVERY_ENV, "恢复密钥：")
        new = _ask_secret(NEW_PASSWORD_ENV, "新密码：", confirm=True)
        with _held(location):
            protection.recover(location, code, new)
        _print("已用恢复密钥打开数据库，并设置了新密码。")
        return EXIT_OK
    raise AssertionError(f"unhandled password action {args.action}")


@contextlib.contextmanager
def _held(location: DataLocation) -> Iterator[None]:
    """The one-window lock, so that no window has the database open meanwhile."""
    from mingjing.storage.precheck import DatabaseLock

    path = location.sqlite_path
    if path is None:
        yield
        return
    lock = DatabaseLock(path)
    lock.acquire()
    try:
        yield
    finally:
        lock.release()


def run_verb(args: argparse.Namespace, location: DataLocation) -> int:
    from mingjing.services import demo, maintenance, summary

    if args.verb == "password":
        return run_password(args, location)
    unlock_if_needed(location)
    if args.verb == "restore":
        recovery = None
        if maintenance.backup_needs_recovery_key(location, args.file):
            # Encrypted under another key: its data's recovery key opens it.
            recovery = _ask_secret(
                RECOVERY_ENV,
                "这份备份是加密的（或已损坏），请输入它的恢复密钥：",
                why=f"文件 {args.file} 不是普通的数据库文件：可能是用另一个密钥加密的备份，"
                "也可能已经损坏。如果是加密的备份，需要它的恢复密钥",
            )
        previous = maintenance.restore_backup(location, args.file, recovery_key=recovery)
        _print(f"已从 {args.file} 恢复数据库 {location.describe()}。")
        if previous is not None:
            _print(f"恢复前的数据库已另存为 {previous}。")
        return EXIT_OK
    if args.verb == "backup":
        out = maintenance.backup_now(location, args.out)
        _print(f"已备份到 {out}")
        return EXIT_OK

    db = maintenance.open_database(location)
    try:
        if args.verb == "campaign":
            return run_campaign(args, location, db)
        if args.verb in ("roster", "opinion"):
            return run_sheet_import(args, db)
        if args.verb == "ledger":
            return run_ledger(args, db)
        if args.verb == "render":
            return run_render(args, db)
        if args.verb == "reply":
            from mingjing.services import replies

            opened = replies.open_reply(db, location, args.file)
            _print(opened.note)
            if opened.comment:
                _print(f"办公室意见：{opened.comment}")
            return EXIT_OK
        if args.verb == "review":
            return run_review(args, location, db)
        if args.verb == "submission" and args.action == "import":
            from mingjing.services.identity import load_identity
            from mingjing.services.submissions import Outcome, import_submissions

            imported = import_submissions(db, args.files, identity=load_identity(location.data_dir))
            names = [line.file.name for line in imported.lines]
            for line in imported.lines:
                # The same file name from two folders: say which folder.
                twice = names.count(line.file.name) > 1
                _print(f"{line.file.parent.name}/{line.text}" if twice else line.text)
            if not imported.lines:
                _err("已拒绝：给出的位置中没有自查提交文件（.mjsubmission）。")
                return EXIT_REFUSED
            _print(imported.summary)
            return EXIT_REFUSED if imported.count(Outcome.REFUSED) else EXIT_OK
        if args.verb == "submission":
            from mingjing.services import self_check

            out = self_check.hand_in(db, location, args.out)
            _print(f"已提交，提交文件为 {out}。请把它交给办公室。")
            return EXIT_OK
        if args.verb == "demo":
            if db.is_sqlite:
                db.acquire_exclusive()
            result = demo.create_demo(db, size=args.size, force=args.force)
            _print(
                f"已生成示例单位“{result.unit_name}”：{result.members} 人，"
                f"问题 {result.problems} 个，整改台账 {result.rectifications} 项。"
            )
            return EXIT_OK
        if args.verb == "summary":
            result_summary = summary.summarize(db)
            if args.json:
                _print(json.dumps(result_summary.to_json(), ensure_ascii=False, indent=2))
            else:
                _print(summary.format_summary(result_summary))
            return EXIT_OK
        if args.verb == "check":
            report = maintenance.check_database(db)
            for item in report.checked:
                _print(f"已检查：{item}")
            if report.ok:
                _print(f"数据库 {location.describe()} 完好。")
                return EXIT_OK
            for problem in report.problems:
                _print(f"发现问题：{problem}")
            return EXIT_CHECK_FAILED
    finally:
        db.close()
    raise AssertionError(f"unhandled verb {args.verb}")


def run_campaign(args: argparse.Namespace, location: DataLocation, db: Any) -> int:
    from mingjing.services import campaigns

    if args.action == "create":
        from mingjing.services import campaign_setup

        default = campaign_setup.default_setup(dt.date.today(), args.unit)
        start, end = args.start or default.start_date, args.end or default.end_date
        assert start is not None and end is not None
        if start > end:
            _err(f"已拒绝：开始日期 {start} 晚于结束日期 {end}。")
            return EXIT_REFUSED
        setup = campaign_setup.CampaignSetup(
            unit_name=args.unit,
            unit_short_name=args.short_name,
            party_body=args.party_body,
            title=args.title or default.title,
            doc_number=args.doc_number,
            start_date=start,
            end_date=end,
            phases=campaign_setup.phases_between(start, end),
            template_path=args.template,
            seal_hand_ins=not args.no_sealing,
        )
        campaign_setup.create_campaign(
            db, location, setup, another=args.new, operator=args.operator
        )
        _print(f"已建立“{setup.unit_name}”的“{setup.title}”。")
        _print("下一步：用“mingjing roster import 名单.xlsx”导入干部名单，再导出专项行动文件。")
        return EXIT_OK
    if args.action == "export":
        from mingjing.services.identity import load_identity

        out = campaigns.export_campaign(db, args.out, load_identity(location.data_dir))
        _print(f"已导出专项行动文件 {out}，请分发给参加专项行动的干部。")
        return EXIT_OK
    result = campaigns.join_campaign(
        db,
        location,
        args.file,
        args.member,
        switch=args.switch,
        trust_new_office_key=args.trust_new_key,
    )
    if result.member is not None:
        _print(f"已加入“{result.unit_name}”的“{result.campaign_title}”。")
        _print(f"本机使用人：{result.member.label}。")
        if result.office_key_new:
            _print(
                f"已登记办公室的密钥，指纹：{result.office_fingerprint}。"
                "请打电话与办公室核对，不一致时立即告知办公室。"
            )
        return EXIT_OK
    _print(f"已收下“{result.unit_name}”的专项行动文件，但还没有选择本机使用人。")
    _print("请再运行一次，并用 --member 指定名单中自己的姓名：")
    for entry in result.roster:
        _print(f"　{entry.label}")
    return EXIT_OK


def run_render(args: argparse.Namespace, db: Any) -> int:
    """``mingjing render KIND --out F.pdf|F.docx [--member NAME] [--meeting ID]``."""
    import datetime as dt

    from mingjing.fonts import FontRegistry
    from mingjing.services import materials

    registry = FontRegistry.discover()
    made = materials.render(
        db,
        args.kind,
        args.out,
        registry,
        today=dt.date.today(),
        member=args.member,
        meeting=args.meeting,
        anonymise=args.anonymise,
    )
    _print(f"已生成{materials.KINDS[made.kind]}：{made.path}（{made.pages} 页）")
    note = materials.standin_note(registry)
    if note:
        _err(f"提示：{note}")
    if made.missing:
        _err(
            "注意：本机没有任何字体含有这些字，打印件中以“〓”代替，请改用常用字或安装相应字体："
            + "、".join(made.missing)
        )
    return EXIT_OK


def run_review(args: argparse.Namespace, location: DataLocation, db: Any) -> int:
    """``mingjing review export|import|settle``: the leaders' review round trip."""
    from mingjing.exchange.package import SUFFIXES
    from mingjing.services import leader_review, review_packages
    from mingjing.services.campaign_setup import current_campaign_id
    from mingjing.services.identity import load_identity
    from mingjing.services.profile import load_profile, office_operator

    today = dt.date.today()
    profile = load_profile(location.data_dir)
    replies_dir = args.replies if getattr(args, "replies", None) else location.data_dir / "审核回复"
    if args.action == "export" and args.leader:
        campaign_id = current_campaign_id(db)
        if campaign_id is None:
            _err("已拒绝：本机还没有专项行动。")
            return EXIT_REFUSED
        materials = None
        if not args.no_materials:
            materials = review_packages.package_pdf(db, campaign_id, today)
        made = review_packages.export_review(
            db,
            campaign_id,
            args.leader,
            args.out,
            identity=load_identity(location.data_dir),
            made_by=office_operator(location.data_dir),
            today=today,
            materials=materials,
        )
        _print(
            f"已导出给{made.leader}的审阅文件：{made.path}（对照检查材料 {made.statements} 份，"
            f"整改台账 {made.ledger_rows} 项{'，附会议材料汇编' if made.with_materials else ''}）。"
            f"文件已加密，只有{made.leader}的电脑能打开。"
        )
        return EXIT_OK
    if args.action == "export":
        review = leader_review.current_review(location)
        if review is None:
            _err("已拒绝：本机还没有打开过领导审阅文件。办公室导出时请用 --for 姓名。")
            return EXIT_REFUSED
        path = leader_review.export_reply(db, location, review, args.out)
        _print(f"已导出审阅意见：{path}。请交给办公室。")
        return EXIT_OK
    if args.action == "import":
        if args.file.name.lower().endswith(SUFFIXES["review"]):
            review = leader_review.open_review(location, args.file)
            board = leader_review.dashboard(review)
            _print(
                f"已打开办公室导出的审阅文件（{review.made_on.year}年{review.made_on.month}月{review.made_on.day}日）：{review.campaign_title}。"
                f"已提交自查 {board.handed_in}/{board.members} 人，问题 {board.problems} 个，"
                f"整改台账 {board.ledger} 项，待销号 {board.awaiting_sign_off} 项。"
            )
            return EXIT_OK
        read = review_packages.import_review_reply(
            db,
            location,
            args.file,
            identity=load_identity(location.data_dir),
            replies_dir=replies_dir,
            reviewer=profile.display_name,
        )
        _print(read.summary)
        for note in read.notes:
            _print(note)
        for file in read.returned_files:
            _print(f"退回返工的审核回复文件：{file}，请交给本人。")
        return EXIT_OK
    campaign_id = current_campaign_id(db)
    if campaign_id is None:
        _err("已拒绝：本机还没有专项行动。")
        return EXIT_REFUSED
    if not args.action_id:
        held = review_packages.leader_actions(db, campaign_id, conflicts_only=True)
        if not held:
            _print("没有待确认的审阅意见。")
        for a in held:
            _print(f"{a.id}  {a.author} {a.kind_label}：{a.target_label}")
            _print(f"    意见：{a.text or '（无）'}")
            _print(f"    现在：{a.current}")
        return EXIT_OK
    if not (args.apply or args.skip):
        _err("已拒绝：请用 --apply（采用）或 --skip（不采用）。")
        return EXIT_REFUSED
    settled = review_packages.settle_conflict(
        db,
        args.action_id,
        args.apply,
        identity=load_identity(location.data_dir),
        replies_dir=replies_dir,
        reviewer=profile.display_name,
        reason=args.reason,
    )
    _print(settled.outcome)
    return EXIT_OK


def run_ledger(args: argparse.Namespace, db: Any) -> int:
    """``mingjing ledger export --out F`` and ``mingjing ledger import F [--strict]``."""
    from mingjing.services import ledger_sheets
    from mingjing.services.campaign_setup import current_campaign_id

    today = dt.date.today()
    if args.action == "export":
        campaign_id = current_campaign_id(db)
        if campaign_id is None:
            _err("已拒绝：本机还没有专项行动，没有台账可以导出。")
            return EXIT_REFUSED
        out = ledger_sheets.export_ledger(db, campaign_id, args.out, today=today)
        _print(f"已导出整改台账 {out}")
        return EXIT_OK
    result = ledger_sheets.import_ledger(db, args.file, today=today, strict=args.strict)
    for issue in result.issues:
        _print(str(issue))
    for note in result.notes:
        _print(f"{note}（提示）")
    updated = f"，为已有的 {result.updated} 项补记了进展" if result.updated else ""
    _print(f"已导入 {result.added} 项整改{updated}，跳过 {result.skipped} 行。")
    return EXIT_OK


def run_sheet_import(args: argparse.Namespace, db: Any) -> int:
    """``mingjing roster import F`` and ``mingjing opinion import F``: one line per issue."""
    if args.verb == "roster":
        from mingjing.services import roster

        imported = roster.import_roster(db, args.file, strict=args.strict)
        added, skipped = f"已导入 {imported.added} 人", imported.skipped
        issues, notes, ignored = imported.issues, imported.notes, ""
    else:
        from mingjing.services import opinions

        gathered = opinions.import_opinions(
            db, args.file, strict=args.strict, default_channel=args.channel
        )
        added, skipped = f"已导入 {gathered.added} 条意见", gathered.skipped
        issues, notes, ignored = gathered.issues, gathered.notes, gathered.ignored_note
    if ignored:
        _print(ignored)
    for issue in issues:
        _print(str(issue))
    for note in notes:
        _print(f"{note}（提示）")
    _print(f"{added}，跳过 {skipped} 行。")
    return EXIT_OK


#: Options of the top-level parser that take a value (their value is not the file).
_VALUE_OPTIONS = ("--data-dir", "--database")


def split_package(argv: Sequence[str]) -> tuple[list[str], Path | None]:
    """Take a package file out of the command line: ``mingjing [选项] FILE.mjcampaign``.

    A desktop's file association (``Exec=mingjing %f``, Windows' ``"%1"``)
    starts the program with the file as its only argument. The first word
    that is not an option is either a command or, if it ends as a package
    file does, that file; argparse sees the rest.
    """
    from mingjing.exchange.package import SUFFIXES

    words = list(argv)
    skip = False
    for index, word in enumerate(words):
        if skip:
            skip = False
            continue
        if word in _VALUE_OPTIONS:
            skip = True
            continue
        if word.startswith("-"):
            continue
        if word.lower().endswith(tuple(SUFFIXES.values())):
            return words[:index] + words[index + 1 :], Path(word)
        break
    return words, None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    words, package = split_package(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(words)
    if package is not None and args.verb is not None:
        parser.error(f"明镜文件 {package} 和命令 {args.verb} 不能同时给出")
    location = resolve_location(args.data_dir, args.database)
    if location.data_dir.exists() and not location.data_dir.is_dir():
        _err(
            f"已拒绝：数据文件夹 {location.data_dir} 是一个文件，不是文件夹。"
            "如要指定数据库文件，请用 --database sqlite:///文件路径。"
        )
        return EXIT_REFUSED
    log_file = setup_logging(location)
    unchanged = "当前数据库未作改动。" if args.verb == "restore" else ""
    try:
        if args.verb is None:
            from mingjing.ui.app import run_app

            return run_app(location, smoke=args.smoke, argv=sys.argv[:1], package=package)
        return run_verb(args, location)
    except (InputRefused, DomainError) as exc:
        _err(f"已拒绝：{exc}{unchanged}")
        return EXIT_REFUSED
    except EnvironmentFault as exc:
        _err(f"无法完成：{exc}{unchanged}")
        return EXIT_REFUSED
    except KeyboardInterrupt:
        _err("已中断。")
        return EXIT_BUG
    except Exception as exc:
        log.exception("unexpected error in %s", args.verb or "app")
        where = f"详情已写入日志文件 {log_file}" if log_file else "日志文件无法写入"
        first_line = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        _err(
            f"发生程序内部错误（{type(exc).__name__}: {first_line}）。{where}，请发给技术支持人员。"
        )
        return EXIT_BUG
