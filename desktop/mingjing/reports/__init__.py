"""Printed materials: plain data in, PDF (reportlab) and DOCX bytes out.

Filled by the meeting-materials issue; the font registry it will use is
``mingjing.fonts``.
"""
