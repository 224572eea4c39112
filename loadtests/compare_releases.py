"""Two releases' edges in one run, each beside the same bare endpoints, alternated.

    python -m loadtests.compare_releases OLD_TREE [--rounds 2] [--seconds 10]

OLD_TREE is a source tree of the other release (``git worktree add /tmp/old <commit>``). Each round
runs the server benchmark (page hits and durable acks, no shape) on the old edge and on this one, in
alternating order, and reports every round's page and ack ratios to the bare endpoints, and their
medians: a change that cost throughput shows as a lower ratio for this tree in the same minutes.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from loadtests.server_bench import run

RATIOS = ("order_page_throughput_ratio", "acks_throughput_ratio", "acks_to_durable_floor_ratio")


def compare(old_tree: Path, rounds: int, seconds: int) -> dict[str, object]:
    runs: dict[str, list[dict[str, object]]] = {"old": [], "new": []}
    for round_number in range(rounds):
        order = [("old", old_tree), ("new", None)]
        for name, tree in order if round_number % 2 == 0 else order[::-1]:
            result = run(seconds, 32, 0, 0, half_runs=1, edge_tree=tree)
            runs[name].append({ratio: result[ratio] for ratio in RATIOS} | {"acks_p99_ms": _p99(result)})
    return {
        "runs": runs,
        "medians": {
            name: {key: statistics.median(float(r[key]) for r in results) for key in (*RATIOS, "acks_p99_ms")}
            for name, results in runs.items()
        },
    }


def _p99(result: dict[str, object]) -> float:
    runs = result["acks_at_half_p99_ms_runs"]
    return float(runs[0]) if isinstance(runs, list) and runs else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old_tree", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    print(json.dumps(compare(args.old_tree.resolve(), args.rounds, args.seconds), indent=2))


if __name__ == "__main__":
    main()
