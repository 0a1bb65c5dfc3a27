"""The benchmark's floor registers what the component registers, so its ratio measures what kraft adds."""

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_component.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_component", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_floor_registers_every_resource_of_the_component_but_the_component(bench: ModuleType) -> None:
    registrations = bench.component(3).registrations
    plain = bench.floor(registrations).registrations

    assert bench.comparable(plain) == bench.comparable(registrations)
    assert {r.type for r in registrations} - {r.type for r in plain} == {"kraft:index:KraftCluster"}
    assert {r.type.split(":")[0] for r in plain} == {"kubernetes", "random", "tls", "pulumi-python"}


def test_the_comparison_tells_a_changed_input_or_option(bench: ModuleType) -> None:
    registrations = bench.component(3).registrations
    first = next(r for r in registrations if r.custom)

    changed_input = [replace(r, inputs={}) if r is first else r for r in registrations]
    changed_option = [replace(r, protect=not r.protect) if r is first else r for r in registrations]

    assert bench.comparable(changed_input) != bench.comparable(registrations)
    assert bench.comparable(changed_option) != bench.comparable(registrations)
