"""建立（修改）专项行动: unit, title, 文号, dates, phases and the checklist."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from mingjing.domain.errors import DomainError
from mingjing.services.campaign_setup import (
    CampaignSetup,
    PhaseDates,
    phases_between,
    read_template,
)


def _qdate(value: dt.date | None) -> QDate:
    value = value or dt.date.today()
    return QDate(value.year, value.month, value.day)


def _date(edit: QDateEdit) -> dt.date:
    q = edit.date()
    return dt.date(q.year(), q.month(), q.day())


def _date_edit(parent: QWidget, value: dt.date | None) -> QDateEdit:
    edit = QDateEdit(_qdate(value), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy年M月d日")
    return edit


class CampaignDialog(QDialog):
    """Fills a :class:`CampaignSetup`; ``editing`` hides the checklist choice."""

    def __init__(
        self, setup: CampaignSetup, *, editing: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("修改专项行动") if editing else self.tr("建立专项行动"))
        self.setMinimumWidth(620)
        self._template: Path | None = setup.template_path
        layout = QVBoxLayout(self)

        form = QFormLayout()
        self.unit = QLineEdit(setup.unit_name, self)
        self.unit.setPlaceholderText(self.tr("如：青山县林业局"))
        self.short_name = QLineEdit(setup.unit_short_name, self)
        self.short_name.setPlaceholderText(self.tr("如：县林业局（用于“县林业局领导班子”）"))
        self.party_body = QLineEdit(setup.party_body, self)
        self.party_body.setPlaceholderText(self.tr("如：中共青山县林业局党组"))
        self.title = QLineEdit(setup.title, self)
        self.doc_number = QLineEdit(setup.doc_number, self)
        self.doc_number.setPlaceholderText(self.tr("如：青林发〔2026〕9号"))
        form.addRow(self.tr("单位名称(&U)："), self.unit)
        form.addRow(self.tr("单位简称："), self.short_name)
        form.addRow(self.tr("党组（党委）："), self.party_body)
        form.addRow(self.tr("专项行动名称(&T)："), self.title)
        form.addRow(self.tr("文号："), self.doc_number)
        self.operator = QLineEdit(setup.operator, self)
        self.operator.setPlaceholderText(self.tr("办公室经办人的姓名，写入审核回复和操作记录"))
        if not editing:
            form.addRow(self.tr("经办人："), self.operator)
        dates = QHBoxLayout()
        self.start = _date_edit(self, setup.start_date)
        self.end = _date_edit(self, setup.end_date)
        dates.addWidget(self.start)
        dates.addWidget(QLabel(self.tr("至"), self))
        dates.addWidget(self.end)
        spread = QPushButton(self.tr("按方案比例划分阶段"), self)
        spread.setToolTip(self.tr("按实施方案四个阶段的时长比例，重新划分各阶段的起止日期"))
        spread.clicked.connect(self._spread)
        dates.addWidget(spread)
        dates.addStretch(1)
        form.addRow(self.tr("起止日期："), dates)
        self.seal = QCheckBox(
            self.tr("干部的提交文件加密给办公室（只有本机能打开，建议保持勾选）"), self
        )
        self.seal.setChecked(setup.seal_hand_ins)
        self.seal.setToolTip(
            self.tr(
                "不勾选时，干部的提交文件不加密，U盘丢失或转交途中可被他人打开阅读；"
                "文件中会注明是按本单位设置不加密的。改动后请重新导出专项行动文件。"
            )
        )
        form.addRow(self.tr("加密："), self.seal)
        layout.addLayout(form)

        phases = QGroupBox(self.tr("工作阶段"), self)
        grid = QGridLayout(phases)
        self._phases: list[tuple[str, QDateEdit, QDateEdit]] = []
        for row, phase in enumerate(setup.phases):
            start, end = _date_edit(phases, phase.start), _date_edit(phases, phase.end)
            grid.addWidget(QLabel(phase.label, phases), row, 0)
            grid.addWidget(start, row, 1)
            grid.addWidget(QLabel(self.tr("至"), phases), row, 2)
            grid.addWidget(end, row, 3)
            self._phases.append((phase.phase, start, end))
        grid.setColumnStretch(4, 1)
        layout.addWidget(phases)

        self.template_box = QGroupBox(self.tr("自查表"), self)
        box = QVBoxLayout(self.template_box)
        self.builtin = QRadioButton(
            self.tr("内置自查表（七个方面，依据实施方案）"), self.template_box
        )
        self.own = QRadioButton(self.tr("本单位的自查表模板文件…"), self.template_box)
        self.builtin.setChecked(self._template is None)
        self.own.setChecked(self._template is not None)
        self.own.clicked.connect(self._choose_template)
        self.template_note = QLabel(self.template_box)
        self.template_note.setWordWrap(True)
        box.addWidget(self.builtin)
        box.addWidget(self.own)
        box.addWidget(self.template_note)
        layout.addWidget(self.template_box)
        self.template_box.setVisible(not editing)
        self.problem = QLabel(self)
        self.problem.setObjectName("formProblem")
        self.problem.setStyleSheet("color: #b91c1c;")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self._describe_template()
        # New dates: the phases follow, in the plan's proportions (still editable).
        self.start.dateChanged.connect(self._spread)
        self.end.dateChanged.connect(self._spread)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("保存") if editing else self.tr("建立")
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.builtin.toggled.connect(self._describe_template)

    def _spread(self) -> None:
        if _date(self.start) > _date(self.end):
            return
        for (code, start, end), spread in zip(
            self._phases, phases_between(_date(self.start), _date(self.end)), strict=False
        ):
            assert spread.phase == code
            start.setDate(_qdate(spread.start))
            end.setDate(_qdate(spread.end))

    def _choose_template(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("选择自查表模板"), str(Path.home()), self.tr("自查表模板 (*.yaml *.yml)")
        )
        if name:
            self._template = Path(name)
        elif self._template is None:
            self.builtin.setChecked(True)
        self._describe_template()

    def _describe_template(self) -> None:
        if self.builtin.isChecked():
            self._template = None
        try:
            template = read_template(self._template)
        except DomainError as exc:
            self.template_note.setText(str(exc))
            return
        self.template_note.setText(
            self.tr("《{0}》第 {1} 版：{2} 个方面，{3} 项具体表现。").format(
                template.title, template.version, len(template.areas), template.item_count
            )
        )

    def setup(self) -> CampaignSetup:
        return CampaignSetup(
            unit_name=self.unit.text().strip(),
            title=self.title.text().strip(),
            doc_number=self.doc_number.text().strip(),
            unit_short_name=self.short_name.text().strip(),
            party_body=self.party_body.text().strip(),
            start_date=_date(self.start),
            end_date=_date(self.end),
            phases=tuple(PhaseDates(code, _date(s), _date(e)) for code, s, e in self._phases),
            template_path=self._template,
            seal_hand_ins=self.seal.isChecked(),
            operator=self.operator.text().strip(),
        )

    def _accept(self) -> None:
        if not self.unit.text().strip():
            self.unit.setFocus()
            self.problem.setText(self.tr("请填写单位名称。"))
            return
        if not self.title.text().strip():
            self.title.setFocus()
            self.problem.setText(self.tr("请填写专项行动名称。"))
            return
        if _date(self.start) > _date(self.end):
            self.start.setFocus()
            self.problem.setText(self.tr("开始日期晚于结束日期，请核对。"))
            return
        for code, start, end in self._phases:
            if _date(start) > _date(end):
                start.setFocus()
                self.problem.setText(
                    self.tr("“{0}”阶段的开始日期晚于结束日期，请核对。").format(
                        PhaseDates(code, None, None).label
                    )
                )
                return
        self.accept()
