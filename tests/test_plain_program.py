"""The plain pulumi_kubernetes program of benchmarks/bench_real.py registers the very objects of a stack, with
their options: what the real benchmark compares kraft with."""

import json
import runpy
import shutil
from pathlib import Path

import pytest

from kraft_component.evaluation import Registration, evaluate, resource_key
from realtools.stacks import evaluate_stack, plain_program

PROGRAM = Path(__file__).resolve().parents[1] / "benchmarks" / "plain_kubernetes" / "__main__.py"


def comparable(registrations: list[Registration]) -> list[tuple[object, ...]]:
    """Each Kubernetes object as the engine receives it, its dependencies on the others by name."""
    objects = [r for r in registrations if r.is_kubernetes_object]
    names = {(r.type, r.name) for r in objects}
    return sorted(
        (
            r.type, r.name, json.dumps(r.manifest(show_secrets=True), sort_keys=True),
            r.protect, r.delete_before_replace, r.retain_on_delete, r.ignore_changes, sorted(r.custom_timeouts.items()),
            sorted(key for key in map(resource_key, r.depends_on) if key in names),
        )
        for r in objects
    )  # fmt: skip


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_plain_program_registers_the_objects_of_the_stack(stack: str, tmp_path: Path) -> None:
    stack_evaluation = evaluate_stack(stack)
    shutil.copyfile(PROGRAM, tmp_path / "__main__.py")
    (tmp_path / "resources.json").write_text(json.dumps(plain_program(stack_evaluation)))

    plain = evaluate(lambda: runpy.run_path(str(tmp_path / "__main__.py")) and None)

    assert comparable(plain.registrations) == comparable(stack_evaluation.registrations)
    assert all(r.is_kubernetes_object for r in plain.registrations)
    secret = next(r for r in plain.registrations if r.name == "kafka-cluster-id")
    assert secret.manifest()["stringData"] != secret.manifest(show_secrets=True)["stringData"]  # still a secret
