"""Enumerations with stable code values and their Chinese labels.

The ``value`` is what is stored and what travels in packages, so it never
changes; ``label`` is what a user reads. Labels that a campaign template may
reword (sources, levels, root-cause categories) also live in the template.
"""

from __future__ import annotations

import enum


class LabelledEnum(enum.StrEnum):
    """A ``StrEnum`` whose members carry a Chinese label."""

    label: str

    def __new__(cls, value: str, label: str = "") -> LabelledEnum:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    @classmethod
    def from_label(cls, label: str) -> LabelledEnum:
        for member in cls:
            if member.label == label:
                return member
        raise ValueError(label)


class Role(LabelledEnum):
    STAFF = "staff", "工作人员"
    SECRETARY = "secretary", "办公室"
    LEADER = "leader", "领导"


class Phase(LabelledEnum):
    STUDY = "study", "学习教育"
    EXAMINE = "examine", "查摆剖析"
    RECTIFY = "rectify", "整改落实"
    INSTITUTIONALIZE = "institutionalize", "建章立制"


class Level(LabelledEnum):
    """对号入座: how far an item of the checklist applies to the member."""

    NONE = "none", "不存在"
    SLIGHT = "slight", "轻微"
    NOTABLE = "notable", "较明显"
    SERIOUS = "serious", "突出"


class Source(LabelledEnum):
    """五种方式: the channel a problem was found through."""

    MASSES = "masses", "群众提"
    SELF = "self", "自己找"
    SUPERIOR = "superior", "上级点"
    PEERS = "peers", "互相帮"
    COLLECTIVE = "collective", "集体议"


class Severity(LabelledEnum):
    GENERAL = "general", "一般"
    NOTABLE = "notable", "较重"
    SERIOUS = "serious", "严重"


class OpinionChannel(LabelledEnum):
    FORUM = "forum", "座谈会"
    SURVEY = "survey", "问卷调查"
    MAILBOX = "mailbox", "意见箱"
    TALK = "talk", "个别谈话"


class SelfCheckState(LabelledEnum):
    DRAFT = "draft", "填写中"
    SUBMITTED = "submitted", "已提交待审核"
    RETURNED = "returned", "退回返工"
    ACCEPTED = "accepted", "已通过"


class ProblemStatus(LabelledEnum):
    RAISED = "raised", "已查摆"
    IN_LEDGER = "in_ledger", "已纳入台账"
    CLOSED = "closed", "已销号"


class RectificationState(LabelledEnum):
    PENDING = "pending", "待整改"
    IN_PROGRESS = "in_progress", "整改中"
    AWAITING_SIGN_OFF = "awaiting_sign_off", "已完成待销号"
    SIGNED_OFF = "signed_off", "已销号"


class DeadlineKind(LabelledEnum):
    """完成时限: a date, or one of the phrases units use instead of one."""

    BY_DATE = "by_date", "限期整改"
    IMMEDIATE = "immediate", "立行立改"
    ONGOING = "ongoing", "长期坚持"


class EscalationLevel(LabelledEnum):
    REMIND = "remind", "提醒"
    INQUIRY = "inquiry", "函询"
    ADMONISH = "admonish", "诫勉"
    DISCIPLINE = "discipline", "严肃处理"

    def next(self) -> EscalationLevel | None:
        order = list(EscalationLevel)
        i = order.index(self)
        return order[i + 1] if i + 1 < len(order) else None


class MeetingKind(LabelledEnum):
    DEMOCRATIC_LIFE = "democratic_life", "专题民主生活会"
    ORGANIZATIONAL_LIFE = "organizational_life", "组织生活会"


class AttendanceStatus(LabelledEnum):
    PRESENT = "present", "出席"
    ABSENT = "absent", "缺席"
    OBSERVER = "observer", "列席"


class StudyForm(LabelledEnum):
    GROUP = "group", "集中学习"
    SELF = "self", "个人自学"
    SEMINAR = "seminar", "专题研讨"
    CENTRAL_GROUP = "central_group", "中心组学习"
    TALK = "talk", "谈心谈话"
