"""``python -m tests.fuzz.run TARGET CORPUS [libFuzzer flags]``: one target under atheris (coverage-guided).

    python -m tests.fuzz.run order_body "$(mktemp -d)" -max_total_time=60 -seed=1

Seeds come from ``tests/fuzz/seeds/TARGET/``, read only; what the fuzzer finds on its way goes to
CORPUS (libFuzzer writes into the first corpus directory it is given, and exits without returning,
so the caller owns that directory). A crash writes its input to the current directory
(``crash-...``, or where ``-artifact_prefix`` says), which is the input to put in a regression test.
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
    name, found, flags = sys.argv[1], sys.argv[2], sys.argv[3:]
    seeds = Path(__file__).with_name("seeds") / name
    corpus = [found, str(seeds)] if seeds.is_dir() else [found]
    atheris.Setup([sys.argv[0], *flags, *corpus], TARGETS[name])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
