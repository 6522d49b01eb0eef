"""Where Mingjing's bundled resources live, installed, editable or frozen.

A wheel carries ``resources/`` inside the package (``mingjing/resources``,
put there by the build backend); a source checkout keeps it at the top of the
repository. Callers ask for a path here and never guess.
"""

from __future__ import annotations

from importlib import resources as _ilr
from pathlib import Path

__all__ = ["resource_path", "resources_root"]


def resources_root() -> Path:
    """The folder holding ``checklists/``, ``fonts/``, ``demo/`` …"""
    packaged = Path(str(_ilr.files("mingjing"))) / "resources"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "resources"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"找不到明镜的资源文件夹（查找过 {packaged} 和 {checkout}）")


def resource_path(*parts: str) -> Path:
    """A path below the resources root; it may not exist."""
    return resources_root().joinpath(*parts)
