"""Issue 10, defect 3: every memory limit leaves at least 30% over the most its JVM can reach, its whole
maximum heap resident. What a JVM holds beside its heap was measured on real Kafka by
benchmarks/bench_memory.py (docs/operations.md, 'Memory sizing'); the bounds below are those numbers."""

import re

import pytest

from kraft_component.jobs import JOB_MEMORY, TOOL_HEAP, admin_job
from kraft_component.pod_template import heap_mib
from kraft_component.quantity import parse_quantity
from kraft_component.spec import MIN_MEMORY_LIMIT, Jvm, parse_spec
from tests.helpers import STACKS, stack_spec

MIB = 2**20
HEADROOM = 1.3
# Beside a whole resident heap, measured on Kafka 4.4.0 with Java 17 and 25: an admin tool at most 101 MiB; a
# node at most 180 MiB with a 512 MiB heap, 213 MiB with 2 GiB and 352 MiB with 5 GiB under load (G1's
# remembered sets and card table grow with the heap). The node bound covers all three: 7% of the heap plus
# 200 MiB.
TOOL_BESIDE_HEAP_MIB = 110


def node_bound_mib(heap: int) -> float:
    """The most a node JVM with `heap` MiB of heap was measured to hold, rounded up."""
    return heap * 1.07 + 200


def maximum_heap_mib(options: str) -> int:
    """The -Xmx of JVM options, in MiB."""
    match = re.search(r"-Xmx(\d+)([mg])", options, re.IGNORECASE)
    assert match, options
    return int(match[1]) * (1024 if match[2].lower() == "g" else 1)


def test_issue_10_defect_3_admin_jobs_leave_30_percent_over_a_full_tool_heap() -> None:
    bound = maximum_heap_mib(TOOL_HEAP) + TOOL_BESIDE_HEAP_MIB

    assert parse_quantity(JOB_MEMORY) / MIB >= HEADROOM * bound, (JOB_MEMORY, TOOL_HEAP)


def test_every_admin_job_has_the_sized_limit_and_request() -> None:
    job = admin_job(parse_spec({}), "kafka", "kafka-task", "task", ["/bin/true"])
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["resources"]["limits"]["memory"] == container["resources"]["requests"]["memory"] == JOB_MEMORY
    assert {"name": "KAFKA_HEAP_OPTS", "value": TOOL_HEAP} in container["env"]


@pytest.mark.parametrize("limit", [MIN_MEMORY_LIMIT, "1536Mi", "2Gi", "4Gi", "9Gi", "10Gi", "11Gi", "16Gi", "64Gi"])
def test_a_node_leaves_30_percent_over_its_full_heap_at_every_allowed_limit(limit: str) -> None:
    assert parse_quantity(limit) / MIB >= HEADROOM * node_bound_mib(heap_mib(limit, Jvm()))


@pytest.mark.parametrize("stack", STACKS)
def test_the_stacks_pools_leave_30_percent_over_their_full_heap(stack: str) -> None:
    for pool in stack_spec(stack).pools:
        limit = pool.resources.limits.memory
        assert parse_quantity(limit) / MIB >= HEADROOM * node_bound_mib(heap_mib(limit, Jvm())), (stack, pool.name)
