"""``python -m mingjing`` and the ``mingjing`` launcher."""

from __future__ import annotations

import sys


def main() -> int:
    from mingjing.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
