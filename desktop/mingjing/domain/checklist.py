"""Checklist templates (自查表): loading and validating the versioned data files.

A template is data, never code: ``resources/checklists/*.yaml`` ships the
default (the seed plan's seven areas and 24 manifestations) and a unit may
load its own. The loader walks the YAML node tree rather than the parsed
dicts so that every error names the file, the line and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mingjing.domain.errors import DomainError

FORMAT_VERSION = 1
_TOP_FIELDS = {
    "format",
    "id",
    "version",
    "title",
    "short_title",
    "source",
    "areas",
    "levels",
    "sources",
    "opinion_channels",
    "root_cause_categories",
    "escalation_levels",
    "phases",
    "awarenesses",
    "tags",
}
_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,99}$")


class TemplateError(DomainError):
    """A template file is unreadable; the message names file, line and field."""

    def __init__(self, source: str, line: int | None, field_path: str, reason: str) -> None:
        where = f"第 {line} 行" if line else "文件"
        field_part = f"，字段 {field_path}" if field_path else ""
        super().__init__(f"自查表模板 {source} {where}{field_part}：{reason}")
        self.source = source
        self.line = line
        self.field_path = field_path
        self.reason = reason


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


@dataclass(frozen=True)
class TemplateItem:
    key: str
    text: str


@dataclass(frozen=True)
class TemplateArea:
    key: str
    title: str
    items: tuple[TemplateItem, ...]


@dataclass(frozen=True)
class Template:
    id: str
    version: int
    title: str
    short_title: str
    source: str
    areas: tuple[TemplateArea, ...]
    levels: tuple[Choice, ...]
    sources: tuple[Choice, ...]
    opinion_channels: tuple[Choice, ...]
    root_cause_categories: tuple[Choice, ...]
    escalation_levels: tuple[Choice, ...]
    phases: tuple[Choice, ...]
    awarenesses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    _items_by_key: dict[str, TemplateItem] = field(default_factory=dict, compare=False, repr=False)

    def items(self) -> Iterator[tuple[TemplateArea, TemplateItem]]:
        for area in self.areas:
            for item in area.items:
                yield area, item

    def item(self, key: str) -> TemplateItem:
        return self._items_by_key[key]

    def area_of(self, item_key: str) -> TemplateArea:
        for area, item in self.items():
            if item.key == item_key:
                return area
        raise KeyError(item_key)

    @property
    def item_count(self) -> int:
        return len(self._items_by_key)

    def vocabulary(self) -> dict[str, Any]:
        """The label lists, as stored with the template in the database."""
        return {
            name: [{"key": c.key, "label": c.label} for c in getattr(self, name)]
            for name in (
                "levels",
                "sources",
                "opinion_channels",
                "root_cause_categories",
                "escalation_levels",
                "phases",
            )
        } | {"awarenesses": list(self.awarenesses), "tags": list(self.tags)}


class _Reader:
    """Typed access to YAML nodes that reports errors with line numbers."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: yaml.Node | None, path: str, reason: str) -> TemplateError:
        line = node.start_mark.line + 1 if node is not None else None
        return TemplateError(self.source, line, path, reason)

    def mapping(self, node: yaml.Node, path: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, path, "应为键值对（映射）")
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in result:
                raise self.fail(key_node, f"{path}.{key}".lstrip("."), "字段重复")
            result[key] = value_node
        return result

    def sequence(self, node: yaml.Node, path: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, path, "应为列表")
        return list(node.value)

    def only(self, fields: dict[str, yaml.Node], allowed: set[str], path: str) -> None:
        """A field we do not know is most likely a typo: say so, with its line."""
        for name, node in fields.items():
            if name not in allowed:
                raise self.fail(node, _join(path, name), "不认识的字段（是否拼写有误？）")

    def required(
        self, parent: yaml.Node, fields: dict[str, yaml.Node], name: str, path: str
    ) -> yaml.Node:
        if name not in fields:
            raise self.fail(parent, _join(path, name), "缺少此字段")
        return fields[name]

    def text(self, node: yaml.Node, path: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag.endswith(":null"):
            raise self.fail(node, path, "应为文字")
        value = str(node.value).strip()
        if not value:
            raise self.fail(node, path, "不能为空")
        return value

    def integer(self, node: yaml.Node, path: str) -> int:
        if not isinstance(node, yaml.ScalarNode) or not node.tag.endswith(":int"):
            raise self.fail(node, path, "应为整数")
        return int(node.value)

    def key(self, node: yaml.Node, path: str) -> str:
        value = self.text(node, path)
        if not _KEY.match(value):
            raise self.fail(
                node, path, f"key “{value}” 只能用小写英文字母、数字、- 和 _，且以字母开头"
            )
        return value


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def parse_template(text: str, source: str = "<模板>") -> Template:
    """Parse and validate a template; raises :class:`TemplateError`."""
    reader = _Reader(source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise TemplateError(source, line, "", f"YAML 格式错误（{exc.problem}）") from exc
    except yaml.YAMLError as exc:
        raise TemplateError(source, None, "", f"YAML 格式错误（{exc}）") from exc
    if root is None:
        raise TemplateError(source, None, "", "文件是空的")
    top = reader.mapping(root, "")
    reader.only(top, _TOP_FIELDS, "")

    fmt = reader.integer(reader.required(root, top, "format", ""), "format")
    if fmt != FORMAT_VERSION:
        raise reader.fail(
            top["format"], "format", f"模板格式版本 {fmt} 本程序不认识（只认识 {FORMAT_VERSION}）"
        )
    template_id = reader.key(reader.required(root, top, "id", ""), "id")
    version = reader.integer(reader.required(root, top, "version", ""), "version")
    if version < 1:
        raise reader.fail(top["version"], "version", "版本号应为正整数")
    title = reader.text(reader.required(root, top, "title", ""), "title")
    short_title = reader.text(top["short_title"], "short_title") if "short_title" in top else title
    source_doc = reader.text(top["source"], "source") if "source" in top else ""

    def choices(name: str) -> tuple[Choice, ...]:
        node = reader.required(root, top, name, "")
        seen: set[str] = set()
        out: list[Choice] = []
        for i, entry in enumerate(reader.sequence(node, name)):
            path = f"{name}[{i + 1}]"
            fields = reader.mapping(entry, path)
            reader.only(fields, {"key", "label"}, path)
            key = reader.key(reader.required(entry, fields, "key", path), _join(path, "key"))
            if key in seen:
                raise reader.fail(fields["key"], _join(path, "key"), f"key “{key}” 重复")
            seen.add(key)
            label = reader.text(reader.required(entry, fields, "label", path), _join(path, "label"))
            out.append(Choice(key, label))
        if not out:
            raise reader.fail(node, name, "列表不能为空")
        return tuple(out)

    def words(name: str) -> tuple[str, ...]:
        if name not in top:
            return ()
        return tuple(
            reader.text(n, f"{name}[{i + 1}]")
            for i, n in enumerate(reader.sequence(top[name], name))
        )

    areas: list[TemplateArea] = []
    items_by_key: dict[str, TemplateItem] = {}
    area_keys: set[str] = set()
    areas_node = reader.required(root, top, "areas", "")
    for a_index, area_node in enumerate(reader.sequence(areas_node, "areas")):
        a_path = f"areas[{a_index + 1}]"
        a_fields = reader.mapping(area_node, a_path)
        reader.only(a_fields, {"key", "title", "items"}, a_path)
        a_key = reader.key(reader.required(area_node, a_fields, "key", a_path), f"{a_path}.key")
        if a_key in area_keys:
            raise reader.fail(a_fields["key"], f"{a_path}.key", f"问题方面 key “{a_key}” 重复")
        area_keys.add(a_key)
        a_title = reader.text(
            reader.required(area_node, a_fields, "title", a_path), f"{a_path}.title"
        )
        items: list[TemplateItem] = []
        items_node = reader.required(area_node, a_fields, "items", a_path)
        for i_index, item_node in enumerate(reader.sequence(items_node, f"{a_path}.items")):
            i_path = f"{a_path}.items[{i_index + 1}]"
            i_fields = reader.mapping(item_node, i_path)
            reader.only(i_fields, {"key", "text"}, i_path)
            i_key = reader.key(reader.required(item_node, i_fields, "key", i_path), f"{i_path}.key")
            if i_key in items_by_key:
                raise reader.fail(i_fields["key"], f"{i_path}.key", f"具体表现 key “{i_key}” 重复")
            i_text = reader.text(
                reader.required(item_node, i_fields, "text", i_path), f"{i_path}.text"
            )
            item = TemplateItem(i_key, i_text)
            items_by_key[i_key] = item
            items.append(item)
        if not items:
            raise reader.fail(items_node, f"{a_path}.items", "每个问题方面至少要有一条具体表现")
        areas.append(TemplateArea(a_key, a_title, tuple(items)))
    if not areas:
        raise reader.fail(areas_node, "areas", "至少要有一个问题方面")

    return Template(
        id=template_id,
        version=version,
        title=title,
        short_title=short_title,
        source=source_doc,
        areas=tuple(areas),
        levels=choices("levels"),
        sources=choices("sources"),
        opinion_channels=choices("opinion_channels"),
        root_cause_categories=choices("root_cause_categories"),
        escalation_levels=choices("escalation_levels"),
        phases=choices("phases"),
        awarenesses=words("awarenesses"),
        tags=words("tags"),
        _items_by_key=items_by_key,
    )


def load_template(path: Path) -> Template:
    """Read a template file; unreadable bytes are a :class:`TemplateError` too."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateError(str(path), None, "", "不是 UTF-8 编码的文本文件") from exc
    except OSError as exc:
        raise TemplateError(str(path), None, "", f"无法读取（{exc.strerror}）") from exc
    return parse_template(text, str(path))
