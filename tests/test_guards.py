"""Dangerous changes between two deployments are refused with the key and the safe procedure."""

import json
import subprocess
import sys
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.output import Unknown

import kraft_component
from kraft_component import KraftCluster, KraftClusterArgs
from kraft_component.evaluation import evaluate
from kraft_component.guards import record, refusals
from kraft_component.record import GuardProvider
from kraft_component.spec import parse_spec

from .helpers import EchoMocks, deploy

CLUSTER_ID = "MkU3OEVBNTcwNTJENDM2Qg"


STATIC = {"mode": "static"}


def pools(
    controllers: int = 3, brokers: int = 3, quorum: dict[str, Any] = STATIC, **broker_extra: Any
) -> dict[str, Any]:
    """Dedicated controllers and brokers; a static quorum unless `quorum` says otherwise."""
    return {
        "quorum": quorum,
        "profile": "development",
        "pools": [
            {"name": "controllers", "roles": ["controller"], "replicas": controllers},
            {"name": "brokers", "roles": ["broker"], "replicas": brokers, **broker_extra},
        ],
    }


def dynamic(controllers: int = 3, initial: int | None = 3, **controller_extra: Any) -> dict[str, Any]:
    """A dynamic quorum of `initial` controllers at creation, now `controllers`."""
    quorum = {"mode": "dynamic"} | ({"initialControllers": initial} if initial is not None else {})
    spec = pools(controllers, quorum=quorum)
    spec["pools"][0] |= controller_extra
    return spec


def change(before: dict[str, Any], after: dict[str, Any], cluster_id: str = CLUSTER_ID) -> list[str]:
    return refusals(record(parse_spec(before), CLUSTER_ID), record(parse_spec(after), cluster_id))


def test_a_first_deployment_has_nothing_to_compare_with() -> None:
    assert refusals({}, record(parse_spec(pools()), CLUSTER_ID)) == []


@pytest.mark.parametrize(
    "after",
    [
        pools(),
        pools(brokers=6),
        pools(storage={"size": "40Gi", "templateSize": "20Gi"}),
        {**pools(), "topicDefaults": {"partitions": 12}},
        pools(brokers=2, acknowledgeScaleDownTo=2),
        {**pools(), "metadataVersion": "4.3"},
    ],
    ids=["same", "grow brokers", "grow volumes", "other settings", "acknowledged shrink", "finalise metadata"],
)
def test_safe_changes_pass(after: dict[str, Any]) -> None:
    assert change(pools(), after) == []


@pytest.mark.parametrize(
    ("after", "cluster_id", "expected"),
    [
        (pools(), "AAAAAAAAAAAAAAAAAAAAAA", "kraft:clusterId: the cluster ID would change"),
        (
            pools(storage={"size": "40Gi"}),
            CLUSTER_ID,
            "kraft:cluster.pools[1].storage: pool 'brokers' would change the claim template of its volume 'data' from "
            "20Gi to 40Gi, which Kubernetes refuses. To grow the volumes, keep kraft:cluster.pools[1].storage.templateSize: 20Gi",
        ),
        (
            pools(controllers=5),
            CLUSTER_ID,
            "kraft:cluster.pools: the static quorum would change from 3 to 5 controllers",
        ),
        (
            pools(brokers=2),
            CLUSTER_ID,
            "kraft:cluster.pools[1].replicas: pool 'brokers' would shrink from 3 to 2 brokers",
        ),
        (
            pools(brokers=2, acknowledgeScaleDownTo=1),
            CLUSTER_ID,
            "then set kraft:cluster.pools[1].acknowledgeScaleDownTo: 2",
        ),
        (
            pools(storage={"size": "10Gi"}),
            CLUSTER_ID,
            "kraft:cluster.pools[1].storage.size: pool 'brokers' would shrink its volume 'data' from 20Gi to 10Gi",
        ),
        (
            pools(nodeIdOffset=500),
            CLUSTER_ID,
            "kraft:cluster.pools[1].nodeIdOffset: pool 'brokers' would move from node IDs starting at 100 to 500",
        ),
        (
            {
                "quorum": STATIC,
                "pools": [
                    {"name": "controllers", "roles": ["controller"], "replicas": 3},
                    {"name": "other", "roles": ["broker"], "replicas": 3},
                ],
            },
            CLUSTER_ID,
            "kraft:cluster.pools[1].replicas: pool 'brokers' would shrink from 3 to 0 brokers",
        ),
        (
            {
                "profile": "development",
                "quorum": STATIC,
                "pools": [
                    {"name": "controllers", "roles": ["controller"], "replicas": 3},
                    {"name": "brokers", "roles": ["broker", "controller"], "replicas": 3, "nodeIdOffset": 100},
                ],
            },
            CLUSTER_ID,
            "kraft:cluster.pools[1].roles: pool 'brokers' would change roles",
        ),
    ],
    ids=[
        "cluster id",
        "claim template",
        "quorum size",
        "shrink",
        "wrong acknowledgement",
        "volume shrink",
        "node id move",
        "pool removed",
        "role change",
    ],
)
def test_dangerous_changes_are_refused_naming_the_key(after: dict[str, Any], cluster_id: str, expected: str) -> None:
    problems = change(pools(), after, cluster_id)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("after", "message"), [("4.1", "4.1 is below the finalised 4.2"), (None, "unset is below the finalised 4.2")]
)
def test_a_finalised_metadata_version_never_goes_down(after: str | None, message: str) -> None:
    before = {**pools(), "metadataVersion": "4.2"}
    later = {**pools(), **({"metadataVersion": after} if after else {})}
    assert [problem for problem in change(before, later) if message in problem]
    assert change(before, {**pools(), "metadataVersion": "4.2-IV1"}) == []


def test_the_provider_check_fails_the_preview_with_every_refusal() -> None:
    previous = record(parse_spec(pools()), CLUSTER_ID)
    shrunk = record(parse_spec(pools(brokers=1, storage={"size": "1Gi"})), CLUSTER_ID)
    as_wire = whole_numbers_as_floats
    result = GuardProvider().check(
        {**as_wire(previous), "__provider": "serialized"}, {**as_wire(shrunk), "__provider": "serialized"}
    )
    reasons = [failure.reason for failure in result.failures]
    assert len(reasons) == 3  # brokers, claim template and volume size
    assert all("kraft:cluster.pools[1]." in reason for reason in reasons), "indices arrive as floats on the wire"
    assert result.inputs["pools"] == as_wire(shrunk)["pools"]
    assert GuardProvider().check({}, shrunk).failures == []


def whole_numbers_as_floats(value: Any) -> Any:
    """What a provider receives: every number a float."""
    if isinstance(value, dict):
        return {key: whole_numbers_as_floats(item) for key, item in value.items()}
    if isinstance(value, list):
        return [whole_numbers_as_floats(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def test_the_record_keeps_no_cluster_id() -> None:
    assert CLUSTER_ID not in str(record(parse_spec(pools()), CLUSTER_ID))


def test_the_component_keeps_a_protected_record_that_every_object_waits_for() -> None:
    evaluation = deploy(pools(), cluster_id=CLUSTER_ID)
    (guard,) = [r for r in evaluation.registrations if r.type == "pulumi-python:dynamic:Resource"]
    assert guard.protect
    recorded = guard.manifest()
    expected = record(parse_spec(pools()), CLUSTER_ID)
    assert {key: recorded[key] for key in expected} == expected
    kubernetes = [r for r in evaluation.registrations if r.is_kubernetes_object]
    assert kubernetes
    assert all(any(urn.endswith(f"::{guard.name}") for urn in r.depends_on) for r in kubernetes)


def preview_record(spec: dict[str, Any]) -> dict[str, Any]:
    """The record's inputs as the engine sends them to `check` at a new stack's first preview: under the
    testing guide's mocks nothing a provider computes is known, the generated cluster ID included."""
    evaluation = evaluate(lambda: KraftCluster("kafka", KraftClusterArgs(spec)), mocks=EchoMocks(), preview=True)
    (guard,) = [r for r in evaluation.registrations if r.type == "pulumi-python:dynamic:Resource"]
    return guard.inputs


def test_a_first_preview_checks_the_record_while_the_generated_cluster_id_is_unknown() -> None:
    inputs = preview_record(dynamic(controllers=5, initial=3))
    assert isinstance(inputs["clusterIdSha256"], Unknown)
    assert inputs["quorum"] == {"mode": "dynamic", "initialControllers": 3}
    reasons = [failure.reason for failure in GuardProvider().check({}, inputs).failures]
    assert [reason.split(": ")[0] for reason in reasons] == ["kraft:cluster.quorum.initialControllers"]


def test_a_preview_refuses_a_shrink_while_the_cluster_id_is_unknown() -> None:
    deployed = whole_numbers_as_floats(record(parse_spec(pools()), CLUSTER_ID))
    reasons = [failure.reason for failure in GuardProvider().check(deployed, preview_record(pools(brokers=2))).failures]
    assert [reason.split(": ")[0] for reason in reasons] == ["kraft:cluster.pools[1].replicas"]


# --- quorum mode -------------------------------------------------------------------------------------------


def test_the_record_keeps_the_quorum_mode_and_the_initial_controllers() -> None:
    assert record(parse_spec(dynamic(initial=None)), CLUSTER_ID)["quorum"] == {
        "mode": "dynamic",
        "initialControllers": 3,
    }
    assert record(parse_spec(pools()), CLUSTER_ID)["quorum"] == {"mode": "static"}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (dynamic(), dynamic(controllers=5)),
        (dynamic(), dynamic(controllers=4)),
        (dynamic(controllers=5), dynamic(controllers=3, acknowledgeScaleDownTo=3)),
        (dynamic(initial=None), dynamic(controllers=3)),
    ],
    ids=["grow to 5", "grow to 4", "acknowledged shrink", "initial count made explicit"],
)
def test_a_dynamic_quorum_may_grow_and_shrink_with_acknowledgement(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    assert change(before, after) == []


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (pools(), dynamic(), "kraft:cluster.quorum.mode: the quorum would change from static to dynamic"),
        (pools(), dynamic(), "upgrade --feature kraft.version=1"),
        (dynamic(), pools(), "kraft:cluster.quorum.mode: the quorum would change from dynamic to static"),
        (dynamic(), dynamic(initial=5, controllers=5), "would change from 3 to 5"),
        (dynamic(), dynamic(initial=None, controllers=5), "Set kraft:cluster.quorum.initialControllers: 3."),
        (
            dynamic(controllers=5),
            dynamic(controllers=3),
            "kraft:cluster.pools[0].replicas: pool 'controllers' would shrink from 5 to 3 controllers. Set "
            "kraft:cluster.pools[0].acknowledgeScaleDownTo: 3; once the pods have stopped, remove each stopped "
            "controller from the quorum with kafka-metadata-quorum.sh remove-controller",
        ),
        (pools(), pools(controllers=1), "the static quorum would change from 3 to 1 controllers"),
    ],
    ids=[
        "static to dynamic",
        "static to dynamic names the 4.1 upgrade",
        "dynamic to static",
        "initial count",
        "initial count by default",
        "dynamic shrink: stop first, then remove-controller",
        "static count",
    ],
)
def test_quorum_changes_are_refused_naming_the_key(
    before: dict[str, Any], after: dict[str, Any], expected: str
) -> None:
    problems = change(before, after)
    assert any(expected in problem for problem in problems), problems


def test_a_record_from_before_quorum_modes_is_a_static_quorum() -> None:
    previous = record(parse_spec(pools()), CLUSTER_ID)
    del previous["quorum"]
    assert refusals(previous, record(parse_spec(pools()), CLUSTER_ID)) == []
    assert any("from static to dynamic" in p for p in refusals(previous, record(parse_spec(dynamic()), CLUSTER_ID)))


def test_a_static_quorum_only_refuses_a_controller_count_change_not_a_dynamic_one() -> None:
    assert change(pools(), pools(controllers=3, brokers=4)) == []
    assert not any("static quorum" in problem for problem in change(dynamic(), dynamic(controllers=5)))


@pytest.mark.parametrize(("initial", "refused"), [(None, False), (3, False), (2, True), (5, True)])
def test_a_new_dynamic_quorum_is_formed_by_every_controller(initial: int | None, refused: bool) -> None:
    problems = refusals({}, record(parse_spec(dynamic(initial=initial)), CLUSTER_ID))
    assert bool(problems) is refused
    assert all(problem.startswith("kraft:cluster.quorum.initialControllers: ") for problem in problems)


# --- data volumes -------------------------------------------------------------------------------------------

DATA = {"name": "data", "size": "20Gi"}
FAST = {"name": "fast", "size": "10Gi"}


def jbod(*volumes: dict[str, Any], acknowledged: list[str] | None = None) -> dict[str, Any]:
    """The brokers with these data volumes (and an acknowledgement of their names)."""
    storage: dict[str, Any] = {"volumes": list(volumes)}
    if acknowledged is not None:
        storage["acknowledgeVolumes"] = acknowledged
    return pools(storage=storage)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (pools(), jbod(DATA)),
        (jbod(DATA, FAST), jbod(DATA, FAST | {"size": "40Gi", "templateSize": "10Gi"})),
        (jbod(DATA), jbod(DATA, FAST, acknowledged=["data", "fast"])),
        (jbod(DATA, FAST), jbod(DATA, acknowledged=["data"])),
        (jbod(DATA, FAST, acknowledged=["data", "fast"]), jbod(DATA, FAST, acknowledged=["data", "fast"])),
    ],
    ids=["single form to the volume data", "grow one volume", "acknowledged addition", "acknowledged removal",
         "a kept acknowledgement"],
)  # fmt: skip
def test_safe_volume_changes_pass(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert change(before, after) == []


KEY = "kraft:cluster.pools[1]"


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (
            jbod(DATA, FAST),
            jbod(DATA, FAST | {"size": "5Gi"}),
            f"{KEY}.storage.volumes[1].size: pool 'brokers' would shrink its volume 'fast' from 10Gi to 5Gi",
        ),
        (
            jbod(DATA, FAST),
            jbod(DATA, FAST | {"size": "40Gi"}),
            f"{KEY}.storage.volumes[1]: pool 'brokers' would change the claim template of its volume 'fast' from 10Gi "
            f"to 40Gi, which Kubernetes refuses. To grow the volumes, keep {KEY}.storage.volumes[1].templateSize: 10Gi",
        ),
        (
            jbod(DATA, FAST),
            jbod(DATA, FAST | {"storageClass": "nvme"}),
            f"{KEY}.storage.volumes[1].storageClass: pool 'brokers' would change the storage class of volume 'fast' "
            "from the default to nvme",
        ),
        (
            jbod(DATA, FAST),
            jbod(DATA),
            f"{KEY}.storage.volumes: pool 'brokers' would remove volume(s) fast, but a StatefulSet's claim templates "
            "are fixed when it is created. First move every partition off fast (kafka-reassign-partitions.sh with "
            "log_dirs, until kafka-log-dirs.sh --describe lists none there), then delete the StatefulSet but not its "
            "pods (kubectl delete statefulset kafka-brokers --cascade=orphan) and run pulumi refresh; then set "
            f"{KEY}.storage.acknowledgeVolumes: [data] and run pulumi up",
        ),
        (
            pools(),
            jbod(DATA, FAST),
            f"{KEY}.storage.volumes: pool 'brokers' would add volume(s) fast, but a StatefulSet's claim templates are "
            "fixed when it is created. First delete the StatefulSet but not its pods",
        ),
        (jbod(DATA, FAST), jbod(DATA, acknowledged=["data", "fast"]), "would remove volume(s) fast"),
        (
            jbod(DATA, FAST),
            jbod(FAST, DATA, acknowledged=["fast", "data"]),
            f"{KEY}.storage.volumes: pool 'brokers' would move its metadata log from volume 'data' to 'fast'",
        ),
        (
            jbod(DATA, FAST),
            jbod(DATA | {"name": "first"}, FAST, acknowledged=["first", "fast"]),
            "would move its metadata log from volume 'data' to 'first'",
        ),
    ],
    ids=["shrink", "claim template", "storage class", "removal", "addition", "stale acknowledgement", "reorder",
         "rename the first"],
)  # fmt: skip
def test_dangerous_volume_changes_are_refused_with_the_safe_procedure(
    before: dict[str, Any], after: dict[str, Any], expected: str
) -> None:
    problems = change(before, after)
    assert any(expected in problem for problem in problems), problems


def legacy(pool: dict[str, Any], with_template: bool) -> dict[str, Any]:
    """A pool record as kraft wrote it before several volumes: `storage` (and later `claimTemplate`), no class."""
    (volume,) = pool.pop("volumes")
    pool.pop("statefulSet")
    return pool | {"storage": volume["size"]} | ({"claimTemplate": volume["claimTemplate"]} if with_template else {})


@pytest.mark.parametrize("with_template", [True, False], ids=["with claimTemplate", "before templateSize"])
def test_records_from_before_several_volumes_still_compare(with_template: bool) -> None:
    previous = record(parse_spec(pools(storage={"size": "20Gi"})), CLUSTER_ID)
    previous["pools"] = {name: legacy(dict(pool), with_template) for name, pool in previous["pools"].items()}
    current = record(parse_spec(pools(storage={"size": "20Gi"})), CLUSTER_ID)
    assert refusals(previous, current) == []
    assert refusals(previous, record(parse_spec(jbod(DATA | {"storageClass": "nvme"})), CLUSTER_ID)) == []
    grown = record(parse_spec(pools(storage={"size": "40Gi", "templateSize": "20Gi"})), CLUSTER_ID)
    assert refusals(previous, grown) == []
    shrunk = refusals(previous, record(parse_spec(pools(storage={"size": "10Gi"})), CLUSTER_ID))
    assert [problem.split(": ")[0] for problem in shrunk] == [f"{KEY}.storage", f"{KEY}.storage.size"]
    added = refusals(previous, record(parse_spec(jbod(DATA, FAST)), CLUSTER_ID))
    assert [problem.split(": ")[0] for problem in added] == [f"{KEY}.storage.volumes"]


def test_the_provider_compares_volumes_as_they_arrive_on_the_wire() -> None:
    previous = whole_numbers_as_floats(record(parse_spec(jbod(DATA, FAST)), CLUSTER_ID))
    shrunk = whole_numbers_as_floats(record(parse_spec(jbod(DATA, FAST | {"size": "1Gi"})), CLUSTER_ID))
    reasons = [failure.reason.split(": ")[0] for failure in GuardProvider().check(previous, shrunk).failures]
    assert reasons == [f"{KEY}.storage.volumes[1]", f"{KEY}.storage.volumes[1].size"]  # its template and its size


# --- the provider's process --------------------------------------------------------------------------------

# What the engine's dynamic-provider process would otherwise import with kraft_component: none of it is needed
# to check a record, and each would add to every preview's start-up.
HEAVY_MODULES = (
    "pulumi_kubernetes",
    "pulumi_random",
    "pulumi_tls",
    "pydantic",
    "kraft_component.spec",
    "kraft_component.component",
)

UNPICKLE_AND_CHECK = """
import base64, json, sys
import dill
provider = dill.loads(base64.b64decode(sys.argv[1]))
previous, current = json.loads(sys.argv[2]), json.loads(sys.argv[3])
reasons = [failure.reason for failure in provider.check(previous, current).failures]
print(json.dumps({"reasons": reasons, "modules": sorted(sys.modules)}))
"""


def test_the_provider_process_checks_a_record_without_importing_the_component() -> None:
    """The provider as the SDK serializes it into the record's inputs, unpickled in a fresh interpreter as
    the engine's pulumi-resource-pulumi-python does: it refuses a shrink, and imports only what checking needs."""
    previous = whole_numbers_as_floats(record(parse_spec(pools()), CLUSTER_ID))
    shrunk = whole_numbers_as_floats(record(parse_spec(pools(brokers=2)), CLUSTER_ID))
    arguments = [serialize_provider(GuardProvider()), json.dumps(previous), json.dumps(shrunk)]
    ran = subprocess.run(
        [sys.executable, "-c", UNPICKLE_AND_CHECK, *arguments], capture_output=True, text=True, check=True, timeout=60
    )
    result = json.loads(ran.stdout)
    assert [reason.split(": ")[0] for reason in result["reasons"]] == ["kraft:cluster.pools[1].replicas"]
    assert "kraft_component.record" in result["modules"]
    assert [module for module in HEAVY_MODULES if module in result["modules"]] == []


def test_the_public_names_import_on_first_use() -> None:
    assert all(getattr(kraft_component, name) is not None for name in kraft_component.__all__)
    assert kraft_component.KraftCluster is KraftCluster
    with pytest.raises(AttributeError, match="no attribute 'KraftClustr'"):
        kraft_component.KraftClustr  # noqa: B018
