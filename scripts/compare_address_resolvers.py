"""The address resolver, jionlp and cpca on the corpus of hard addresses, in one run.

    .venv/bin/python scripts/compare_address_resolvers.py [--rounds 5] [--errors]

Prints markdown for docs/benchmarks.md: per resolver, how many addresses it got right, was unsure
of (no county, or for ours an answer below the confidence the edge treats as sure), got
confidently wrong (a county that is not the one, or any county for a text that cannot tell),
and its median time per address over ``--rounds`` passes; then the same per class of address.
jionlp and cpca are development dependencies; one that cannot be imported is left out, saying why.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.divisions import load_divisions  # noqa: E402
from gateway.domain.address import AddressResolver  # noqa: E402
from tests.address_corpus import (  # noqa: E402
    CLASSES,
    Answerer,
    Tally,
    cpca_answerer,
    jionlp_answerer,
    load_corpus,
    ours,
    tally,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over the corpus for the timing")
    parser.add_argument("--errors", action="store_true", help="list what each resolver got wrong")
    args = parser.parse_args()
    rows = load_corpus()
    resolver = AddressResolver(load_divisions())
    answerers: dict[str, Answerer] = {"this resolver": ours(resolver)}
    for name, make in (("jionlp 1.5.31", jionlp_answerer), ("cpca 0.5.5", cpca_answerer)):
        try:
            answerers[name] = make()
        except ImportError as exc:
            print(f"{name} left out: {exc}", file=sys.stderr)
    # Interleaved passes, so a slow moment of the machine touches every resolver alike.
    tallies: dict[str, Tally] = {name: Tally() for name in answerers}
    for round_ in range(args.rounds):
        for name, answer in answerers.items():
            one = tally(answer, rows)
            tallies[name].nanoseconds += one.nanoseconds
            if round_ == 0:
                tallies[name].outcomes, tallies[name].by_class = one.outcomes, one.by_class

    base = tallies["this resolver"].median_ms
    print(
        f"Corpus: `tests/data/hard_addresses.jsonl`, {len(rows)} addresses; median of {args.rounds} passes."
    )
    print()
    print(
        "| resolver | right | unsure | confidently wrong | accuracy | median per address | ÷ this resolver |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, result in tallies.items():
        counts = result.outcomes
        print(
            f"| {name} | {counts['right']} | {counts['unsure']} | {counts['wrong']} | {result.accuracy:.1%} "
            f"| {result.median_ms * 1000:.1f} µs | {result.median_ms / base:.0f}× |"
        )
    print()
    print("| class | addresses | " + " | ".join(f"{name}: right / unsure / wrong" for name in tallies) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in tallies) + " |")
    for kind in CLASSES:
        size = sum(tallies["this resolver"].by_class[kind].values())
        cells = [
            f"{c['right']} / {c['unsure']} / {c['wrong']}"
            for c in (t.by_class[kind] for t in tallies.values())
        ]
        print(f"| {kind} | {size} | " + " | ".join(cells) + " |")
    towns = [row for row in rows if row.town]
    found = 0
    for row in towns:
        resolution = resolver.resolve(row.text)
        found += resolution.certain and resolution.town is not None and resolution.town.name == row.town
    print()
    print(f"Towns: {found} of the {len(towns)} addresses that name one get it back, from this resolver.")
    print()
    print(f"Reproduce: `.venv/bin/python scripts/compare_address_resolvers.py --rounds {args.rounds}`")
    if args.errors:
        for name, answer in answerers.items():
            for row in rows:
                got = answer(row.text)
                if got != row.adcode:
                    print(f"- {name}: {row.kind} {row.text!r}: expected {row.adcode}, got {got}")


if __name__ == "__main__":
    main()
