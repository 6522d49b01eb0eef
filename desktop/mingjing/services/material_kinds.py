"""The materials ``render`` can make, with the names users know them by.

Apart from :mod:`mingjing.services.materials` so that the command line's
parser and the window's list can name them without loading the layout
engines (reportlab, python-docx, PDFium) at start.
"""

from __future__ import annotations

KINDS: dict[str, str] = {
    "statement": "个人对照检查材料",
    "team-statement": "领导班子对照检查材料",
    "problem-list": "领导班子问题清单",
    "opinions": "征求意见情况汇总",
    "consultation": "集体会诊记录",
    "ledger": "整改台账",
    "assignment": "整改事项交办单",
    "meeting-plan": "会议方案",
    "minutes": "会议记录",
    "disclosure": "整改情况公示",
    "package": "会议材料汇编",
}
