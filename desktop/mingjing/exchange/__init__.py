"""Campaign, submission and review packages: writing, verifying, merging.

Filled by the staff-workspace and gathering issues; kept as a package now so
the layer contracts in ``pyproject.toml`` cover it from the start.
"""
