"""How long evaluating the KraftCluster component takes under Pulumi mocks, against the floor.

The floor registers the very same Kubernetes objects directly with pulumi_kubernetes classes, under the same
recording mocks, so the ratio is what the component adds (spec validation, builders, Outputs, the RandomId).
Clusters have 3 dedicated controllers and a broker pool of 3, 30 and 300; the number of Pulumi resources must
not grow with the brokers (a StatefulSet scales, the object count does not).

Run: python benchmarks/bench_component.py [--repeat N] [--clock wall|cpu]; on a machine other work keeps busy,
`--clock cpu` (the process's CPU time) is the steadier measure.
"""

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # runnable from a checkout without installing the package

from pulumi.runtime import settings  # noqa: E402

from kraft_component import KraftCluster, KraftClusterArgs  # noqa: E402
from kraft_component.component import resource_arguments, resource_class  # noqa: E402
from kraft_component.evaluation import Evaluation, evaluate  # noqa: E402

BROKER_COUNTS = (3, 30, 300)
CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}
Manifest = dict[str, Any]


def cluster_spec(brokers: int) -> dict[str, Any]:
    """3 dedicated controllers and one broker pool of `brokers`."""
    return {
        "pools": [
            {"name": "controllers", "roles": ["controller"], "replicas": 3},
            {"name": "brokers", "roles": ["broker"], "replicas": brokers},
        ]
    }


def component(brokers: int) -> Evaluation:
    """Evaluate the component, as a program that uses it would."""
    spec = cluster_spec(brokers)
    return evaluate(lambda: KraftCluster("kafka", KraftClusterArgs(spec)))


def floor(objects: list[Manifest]) -> Evaluation:
    """Register `objects` directly, one typed pulumi_kubernetes resource each."""

    def program() -> None:
        for index, obj in enumerate(objects):
            resource_class(obj["apiVersion"], obj["kind"])(f"object-{index}", **resource_arguments(obj))

    return evaluate(program)


def canonical(objects: list[Manifest]) -> list[str]:
    """Objects as sorted canonical JSON, to compare two registrations of the same objects."""
    return sorted(json.dumps(obj, sort_keys=True) for obj in objects)


def timed(run: Callable[[], Evaluation], repeat: int, clock: Callable[[], float]) -> tuple[float, Evaluation]:
    """(median seconds by `clock`, the last evaluation) over `repeat` runs."""
    seconds, evaluation = [], None
    for _ in range(repeat):
        settings.ROOT.set(None)
        start = clock()
        evaluation = run()
        seconds.append(clock() - start)
    assert evaluation is not None
    return statistics.median(seconds), evaluation


def main() -> None:
    """Print a table, the growth with brokers, and check the resource count stays flat."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement; the median is reported")
    parser.add_argument("--clock", choices=CLOCKS, default="wall", help="wall-clock time, or the process's CPU time")
    args = parser.parse_args()
    repeat, clock = args.repeat, CLOCKS[args.clock]
    component(3)  # warm up imports and caches before anything is timed
    rows = []
    for brokers in BROKER_COUNTS:
        component_seconds, evaluation = timed(partial(component, brokers), repeat, clock)
        objects = evaluation.kubernetes_objects(show_secrets=True)
        floor_seconds, direct = timed(partial(floor, objects), repeat, clock)
        assert canonical(direct.kubernetes_objects(show_secrets=True)) == canonical(objects), "not the same objects"
        rows.append((brokers, len(evaluation.registrations), len(objects), component_seconds, floor_seconds))

    print(f"KraftCluster under mocks, median {args.clock} time of {repeat} runs; 3 controllers + N brokers\n")
    print(f"{'brokers':>8} {'resources':>10} {'k8s objects':>12} {'component ms':>13} {'floor ms':>9} {'ratio':>6}")
    for brokers, resources, objects_count, component_seconds, floor_seconds in rows:
        print(
            f"{brokers:>8} {resources:>10} {objects_count:>12} {component_seconds * 1000:>13.1f} "
            f"{floor_seconds * 1000:>9.1f} {component_seconds / floor_seconds:>6.2f}"
        )
    first, last = rows[0], rows[-1]
    extra = last[0] - first[0]
    print(
        f"\ngrowth from {first[0]} to {last[0]} brokers: component x{last[3] / first[3]:.2f} "
        f"({(last[3] - first[3]) * 1e6 / extra:.1f} us per added broker), "
        f"floor x{last[4] / first[4]:.2f} ({(last[4] - first[4]) * 1e6 / extra:.1f} us per added broker)"
    )
    counts = {resources for _, resources, *_ in rows}
    assert len(counts) == 1, f"the number of Pulumi resources grows with the brokers: {counts}"
    print(f"Pulumi resources: {counts.pop()} at every broker count (constant)")


if __name__ == "__main__":
    main()
