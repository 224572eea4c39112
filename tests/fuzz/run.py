"""``python -m tests.fuzz.run TARGET [libFuzzer flags]``: one target under atheris (coverage-guided).

    python -m tests.fuzz.run order_body -max_total_time=60 -seed=1

Seeds come from ``tests/fuzz/seeds/TARGET/`` when it exists; a crash writes its input to the current
directory (``crash-...``), which is the input to put in a regression test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

# Coverage is measured in the project's own code; instrumenting every library it imports would
# multiply the start-up time and guide the fuzzer into code it does not test.
with atheris.instrument_imports(include=["gateway"]):
    from tests.fuzz.targets import TARGETS


def main() -> None:
    name, flags = sys.argv[1], sys.argv[2:]
    seeds = Path(__file__).with_name("seeds") / name
    corpus = [str(seeds)] if seeds.is_dir() else []
    atheris.Setup([sys.argv[0], *flags, *corpus], TARGETS[name])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
