"""Quote extraction on PolNeAR dev, ours and textacy side by side (`make bench-quotes`).

python benchmarks/quotes.py [--errors PATH] [--json PATH] [--limit N] [--model M]
"""

from __future__ import annotations

import sys
from pathlib import Path

from streams.evaluate import eval_app

DEV = Path("/work/shared/data/polnear/dev.jsonl")


def main(argv: list[str]) -> None:
    eval_app(["quotes", str(DEV), *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
