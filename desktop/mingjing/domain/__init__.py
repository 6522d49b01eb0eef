"""Entities, enumerations, state machines and pure rules of a campaign.

Nothing here opens a database session or imports PySide6: the mapped classes
describe rows, the rules decide, and ``mingjing.storage`` does the I/O.
"""
