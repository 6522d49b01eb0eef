"""What the frozen program runs: the same ``main`` as ``python -m mingjing``."""

import sys

from mingjing.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
