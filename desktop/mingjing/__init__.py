"""明镜 Mingjing: a unit's self-inspection and rectification campaign, offline."""

__version__ = "0.1.0"
