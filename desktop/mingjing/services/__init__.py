"""Use cases: the only API that ``mingjing.ui`` and ``mingjing.cli`` call.

One module per user intention. Functions take a :class:`Database` and plain
values and return plain dataclasses, never live ORM rows, so the caller can
hand the result to another thread or a report.
"""
