"""How long evaluating the KraftCluster component takes under Pulumi mocks, against the floor.

The floor is a plain program that registers the very same resources the component registers (its Kubernetes
objects, random IDs and passwords, keys and certificates, the deployment record), with the same inputs and
resource options, as typed resources and literal values, under the same recording mocks. So the ratio is what
kraft adds: the spec's validation, the builders, the Outputs between the resources and the component resource.
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
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # runnable from a checkout without installing the package

import pulumi  # noqa: E402
import pulumi.dynamic  # noqa: E402
import pulumi_kubernetes as k8s  # noqa: E402
import pulumi_random  # noqa: E402
import pulumi_tls  # noqa: E402
from pulumi.runtime import settings  # noqa: E402
from pulumi.runtime.rpc import _special_secret_sig  # noqa: E402
from pydantic.alias_generators import to_snake  # noqa: E402

from kraft_component import KraftCluster, KraftClusterArgs  # noqa: E402
from kraft_component.evaluation import (  # noqa: E402
    SECRET_SIGNATURE,
    Evaluation,
    Registration,
    evaluate,
    resource_key,
)
from kraft_component.record import GuardProvider  # noqa: E402
from kraft_component.wire import whole_numbers  # noqa: E402

BROKER_COUNTS = (3, 30, 300)
CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}
PROVIDER_PACKAGES = {"random": pulumi_random, "tls": pulumi_tls}
DYNAMIC = "pulumi-python:dynamic:Resource"  # the deployment record


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


def literal(value: Any) -> Any:
    """A recorded input as a program would write it: plain values, each secret an Output.secret."""
    if isinstance(value, dict):
        if value.get(SECRET_SIGNATURE) == _special_secret_sig:
            return pulumi.Output.secret(literal(value["value"]))
        return {key: literal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [literal(item) for item in value]
    return whole_numbers(value)


class PlainRecord(pulumi.dynamic.Resource):
    """The deployment record's dynamic resource as a program registers it with literal inputs."""


def register(registration: Registration, opts: pulumi.ResourceOptions) -> pulumi.Resource:
    """Register what `registration` recorded with the typed class a program would use, its inputs as literals."""
    inputs = {key: literal(value) for key, value in registration.inputs.items()}
    if registration.type == DYNAMIC:  # the deployment record: its provider is serialized anew, as the engine needs
        del inputs["__provider"]
        return PlainRecord(GuardProvider(), registration.name, inputs, opts)
    package, module, kind = registration.type.split(":")
    if package == "kubernetes":  # the typed class sets apiVersion and kind
        group, version = module.rsplit("/", 1)
        resource = getattr(getattr(getattr(k8s, group.split(".")[0]), version), kind)
        del inputs["apiVersion"], inputs["kind"]
    else:
        resource = getattr(PROVIDER_PACKAGES[package], kind)
    arguments = {to_snake(key): value for key, value in inputs.items()}
    return resource(registration.name, opts=opts, **arguments)  # type: ignore[no-any-return]


def floor(registrations: list[Registration]) -> Evaluation:
    """Register every resource of `registrations` but the component directly, with literal inputs and the same
    options (no parent: there is no component)."""

    def program() -> None:
        made: dict[tuple[str, str], pulumi.Resource] = {}
        for registration in registrations:
            if not registration.custom:
                continue
            timeouts = registration.custom_timeouts
            opts = pulumi.ResourceOptions(
                protect=registration.protect,
                delete_before_replace=registration.delete_before_replace,
                retain_on_delete=registration.retain_on_delete,
                depends_on=[made[resource_key(urn)] for urn in registration.depends_on],
                ignore_changes=list(registration.ignore_changes) or None,
                custom_timeouts=pulumi.CustomTimeouts(**timeouts) if timeouts else None,
            )
            made[(registration.type, registration.name)] = register(registration, opts)

    return evaluate(program)


def comparable(registrations: list[Registration]) -> list[str]:
    """Every resource but the component as the engine receives it, dependencies named by type and name
    (a URN also names the parent), sorted: equal for two programs that register the same resources."""
    return sorted(
        json.dumps(
            asdict(registration) | {"parent": "", "depends_on": sorted(map(resource_key, registration.depends_on))},
            sort_keys=True,
        )
        for registration in registrations
        if registration.custom
    )


def seconds(run: Callable[[], Evaluation], clock: Callable[[], float]) -> float:
    """How long one run takes by `clock`, from a fresh root stack."""
    settings.ROOT.set(None)
    start = clock()
    run()
    return clock() - start


def side_by_side(brokers: int, repeat: int, clock: Callable[[], float]) -> tuple[Evaluation, float, float, float]:
    """The component's evaluation; the median seconds of it and of its floor, timed in turns; and the median of
    the ratios of each turn, which other work on the machine disturbs least (it weighs on both runs of a turn)."""
    evaluation = component(brokers)
    direct = floor(evaluation.registrations)
    assert comparable(direct.registrations) == comparable(evaluation.registrations), "not the same resources"
    turns = [
        (seconds(partial(component, brokers), clock), seconds(partial(floor, evaluation.registrations), clock))
        for _ in range(repeat)
    ]
    return (
        evaluation,
        statistics.median(own for own, _ in turns),
        statistics.median(plain for _, plain in turns),
        statistics.median(own / plain for own, plain in turns),
    )


def main() -> None:
    """Print a table, the growth with brokers, and check the resource count stays flat."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=7, help="turns (a component run, then a floor run) per measurement"
    )
    parser.add_argument("--clock", choices=CLOCKS, default="wall", help="wall-clock time, or the process's CPU time")
    args = parser.parse_args()
    repeat, clock = args.repeat, CLOCKS[args.clock]
    floor(component(3).registrations)  # warm up imports and caches before anything is timed
    rows = []
    for brokers in BROKER_COUNTS:
        evaluation, component_seconds, floor_seconds, ratio = side_by_side(brokers, repeat, clock)
        objects = len(evaluation.kubernetes_objects())
        rows.append((brokers, len(evaluation.registrations), objects, component_seconds, floor_seconds, ratio))

    print(f"KraftCluster under mocks, median {args.clock} time of {repeat} turns; 3 controllers + N brokers;")
    print("ratio: the median of component / floor over the turns\n")
    print(f"{'brokers':>8} {'resources':>10} {'k8s objects':>12} {'component ms':>13} {'floor ms':>9} {'ratio':>6}")
    for brokers, resources, objects_count, component_seconds, floor_seconds, ratio in rows:
        print(
            f"{brokers:>8} {resources:>10} {objects_count:>12} {component_seconds * 1000:>13.1f} "
            f"{floor_seconds * 1000:>9.1f} {ratio:>6.2f}"
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
