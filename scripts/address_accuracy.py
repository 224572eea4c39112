"""Accuracy and speed of the address resolver on the labelled set tests/data/addresses.jsonl.

    .venv/bin/python scripts/address_accuracy.py [--data tests/data/addresses.jsonl] [--errors]

Prints a markdown table: how many addresses, how many the labels say can be resolved, how many
the resolver answered certainly and correctly, certainly but wrongly (the worst outcome), or not
certainly (the caller then offers candidates, pick_on_map and manual_entry); the same per kind of
noise; and the time of one uncached resolve (timeit over the whole set).
"""

from __future__ import annotations

import argparse
import json
import sys
import timeit
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.divisions import load_divisions  # noqa: E402
from gateway.domain.address import AddressResolver  # noqa: E402

DATA = ROOT / "tests" / "data" / "addresses.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--errors", action="store_true", help="list every address not resolved right")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line]
    resolver = AddressResolver(load_divisions())

    counts: dict[str, int] = defaultdict(int)
    per_noise: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # resolvable, correct & certain
    errors = []
    for row in rows:
        resolution = resolver.resolve(row["text"])
        got = resolution.division.adcode if resolution.certain and resolution.division else None
        label = row["adcode"]
        counts["total"] += 1
        if label is None:
            counts["ambiguous"] += 1
            counts["ambiguous but certain"] += got is not None
        else:
            counts["resolvable"] += 1
            counts["correct & certain"] += got == label
            for kind in row["noise"]:
                per_noise[kind][0] += 1
                per_noise[kind][1] += got == label
        counts["certain but wrong"] += got is not None and got != label
        counts["uncertain"] += got is None
        if got != label:
            errors.append((row["text"], label, got, round(resolution.confidence, 2), resolution.evidence))

    texts = [row["text"] for row in rows]
    runs = 20
    seconds = timeit.timeit(lambda: [resolver.resolve(t) for t in texts], number=runs)
    micros = seconds / (runs * len(texts)) * 1e6

    accuracy = counts["correct & certain"] / counts["resolvable"]
    wrong_share = counts["certain but wrong"] / counts["total"]
    print("| measure | value |")
    print("|---|---|")
    for key in ("total", "resolvable", "ambiguous", "correct & certain", "certain but wrong", "uncertain"):
        print(f"| {key} | {counts[key]} |")
    print(f"| accuracy (correct & certain / resolvable) | {accuracy:.1%} |")
    print(f"| certain but wrong / total | {wrong_share:.2%} |")
    print(f"| ambiguous answered certainly | {counts['ambiguous but certain']} |")
    print(f"| uncached resolve | {micros:.1f} µs |")
    print()
    print("| noise kind | resolvable | accuracy |")
    print("|---|---|---|")
    for kind, (resolvable, correct) in sorted(per_noise.items(), key=lambda item: -item[1][0]):
        print(f"| {kind} | {resolvable} | {correct / resolvable:.1%} |")
    print()
    print(f"Reproduce: `.venv/bin/python scripts/address_accuracy.py` ({len(rows)} rows, timeit x{runs})")
    if args.errors:
        print()
        for text, label, got, confidence, evidence in errors:
            print(f"- {text!r}: label {label}, got {got} ({confidence}, {evidence})")


if __name__ == "__main__":
    main()
