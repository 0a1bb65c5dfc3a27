"""Several data volumes per broker (JBOD): a claim template and a log directory each, the metadata log on the
first, growth in place per volume, and the single-volume form as the volume `data`."""

from typing import Any

import pytest

from kraft_component import manifests
from kraft_component.jobs import admin_volumes
from kraft_component.spec import InvalidSpec, parse_spec
from kraft_component.statefulset import statefulset
from tests.standins import parse_properties

from .helpers import deploy

NAMESPACE = "kafka"
CONTROLLERS = {"name": "controllers", "roles": ["controller"], "replicas": 3}
TWO_VOLUMES = {"volumes": [{"name": "data", "size": "100Gi"}, {"name": "fast", "size": "50Gi", "storageClass": "nvme"}]}


def cluster(storage: dict[str, Any], brokers: int = 3) -> dict[str, Any]:
    return {"pools": [CONTROLLERS, {"name": "brokers", "roles": ["broker"], "replicas": brokers, "storage": storage}]}


def brokers(config: dict[str, Any]) -> dict[str, Any]:
    spec = parse_spec(config)
    return statefulset(spec, spec.pools[1], 1, NAMESPACE)


def template(config: dict[str, Any]) -> dict[str, str]:
    return parse_properties(manifests.config_data(parse_spec(config), NAMESPACE)["brokers.properties"])


def test_each_volume_is_a_claim_template_a_mount_and_a_log_directory() -> None:
    manifest = brokers(cluster(TWO_VOLUMES))
    claims = {claim["metadata"]["name"]: claim["spec"] for claim in manifest["spec"]["volumeClaimTemplates"]}
    assert claims == {
        "data": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "100Gi"}}},
        "fast": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "50Gi"}},
            "storageClassName": "nvme",
        },
    }
    (container,) = manifest["spec"]["template"]["spec"]["containers"]
    mounts = {mount["name"]: mount["mountPath"] for mount in container["volumeMounts"]}
    assert (mounts["data"], mounts["fast"]) == ("/var/lib/kafka/data", "/var/lib/kafka/fast")
    properties = template(cluster(TWO_VOLUMES))
    assert properties["log.dirs"] == "/var/lib/kafka/data/logs,/var/lib/kafka/fast/logs"
    assert properties["metadata.log.dir"] == "/var/lib/kafka/data/logs"


def test_the_single_volume_form_is_the_volume_data_and_renders_as_before() -> None:
    single = cluster({"size": "100Gi", "storageClass": "nvme", "templateSize": "80Gi"})
    listed = cluster({"volumes": [{"name": "data", "size": "100Gi", "storageClass": "nvme", "templateSize": "80Gi"}]})
    assert brokers(single) == brokers(listed)
    assert template(single) == template(listed)
    assert template(single)["log.dirs"] == "/var/lib/kafka/data/logs"
    assert "metadata.log.dir" not in template(single), "one volume: the template is unchanged"


def test_admin_jobs_mount_no_data_volume() -> None:
    _, mounts = admin_volumes(parse_spec(cluster(TWO_VOLUMES)))
    assert not [mount for mount in mounts if mount["mountPath"].startswith("/var/lib/kafka")]


def test_each_grown_volume_is_patched_claim_by_claim() -> None:
    grown = {"volumes": [{"name": "data", "size": "100Gi"}, {"name": "fast", "size": "80Gi", "templateSize": "50Gi"}]}
    evaluation = deploy(cluster(grown, brokers=2))
    patches = [r for r in evaluation.registrations if r.type == "kubernetes:core/v1:PersistentVolumeClaimPatch"]
    assert sorted((p.name, p.manifest()["metadata"]["name"]) for p in patches) == [
        ("kafka-brokers-fast-0", "fast-kafka-brokers-0"),
        ("kafka-brokers-fast-1", "fast-kafka-brokers-1"),
    ]
    assert {str(p.manifest()["spec"]) for p in patches} == {str({"resources": {"requests": {"storage": "80Gi"}}})}
    claims = brokers(cluster(grown))["spec"]["volumeClaimTemplates"]
    assert [c["spec"]["resources"]["requests"]["storage"] for c in claims] == ["100Gi", "50Gi"]


def error_of(data: dict[str, Any]) -> str:
    with pytest.raises(InvalidSpec) as caught:
        parse_spec(data)
    return str(caught.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            cluster({"size": "10Gi", **TWO_VOLUMES}),
            "kraft:cluster.pools[1].storage.volumes: cannot be combined with storage.size, which describe the single "
            "volume `data`; allowed: either those keys (one volume) or volumes",
        ),
        (
            cluster({"storageClass": "a", "templateSize": "1Gi", **TWO_VOLUMES}),
            "cannot be combined with storage.storageClass, storage.templateSize",
        ),
        (
            {
                "pools": [
                    {**CONTROLLERS, "storage": TWO_VOLUMES},
                    {"name": "brokers", "roles": ["broker"], "replicas": 3},
                ]
            },
            "kraft:cluster.pools[0].storage.volumes: 2 volumes in a controller-only pool, which keeps only the "
            "metadata log; allowed: one",
        ),
        (
            cluster({"volumes": [{"name": "a", "size": "1Gi"}, {"name": "a", "size": "2Gi"}]}),
            "kraft:cluster.pools[1].storage.volumes[1].name: 'a' names two volumes",
        ),
        (
            cluster({"volumes": [{"name": "config", "size": "1Gi"}]}),
            "kraft:cluster.pools[1].storage.volumes[0].name: 'config' names another volume of the pod; reserved: "
            "config, cluster-id, runtime, kafka-logs, tmp, tls",
        ),
        (
            cluster({"volumes": [{"name": "Data", "size": "1Gi"}]}),
            "kraft:cluster.pools[1].storage.volumes[0].name: 'Data' must be a DNS label",
        ),
        (cluster({"volumes": [{"name": "a"}]}), "kraft:cluster.pools[1].storage.volumes[0].size: Field required"),
        (
            cluster(TWO_VOLUMES) | {"metadataVersion": "3.7-IV1"},
            "kraft:cluster.pools[1].storage.volumes: several volumes need metadata.version 3.7-IV2 or newer, but "
            "metadataVersion is 3.7-IV1",
        ),
        (
            cluster({"volumes": [{"name": "a", "size": "1Gi", "templateSize": "2Gi"}]}),
            "kraft:cluster.pools[1].storage.volumes[0].size: 1Gi is below templateSize (2Gi); volumes cannot shrink",
        ),
        (
            cluster({"volumes": [{"name": "a", "size": "1Gii"}]}),
            "kraft:cluster.pools[1].storage.volumes[0].size: '1Gii' is not a Kubernetes quantity",
        ),
        (
            {
                "pools": [
                    CONTROLLERS,
                    {"name": "b", "roles": ["broker"], "replicas": 1, "storage": {"volumes": [{"name": "x-kafka-a", "size": "1Gi"}]}},
                    {"name": "a-kafka-b", "roles": ["broker"], "replicas": 1, "storage": {"volumes": [{"name": "x", "size": "1Gi"}]}},
                ]
            },
            # x-kafka-a + kafka-b and x + kafka-a-kafka-b: both claims would be x-kafka-a-kafka-b-0
            "kraft:cluster.pools[2].storage.volumes[0].name: volume 'x' of pool 'a-kafka-b' would share its claims' "
            "names with a volume of pool 'b'",
        ),
    ],
    ids=lambda value: value[:50] if isinstance(value, str) else None,
)  # fmt: skip
def test_bad_volumes_are_refused_naming_the_key(data: dict[str, Any], expected: str) -> None:
    assert expected in error_of(data)


@pytest.mark.parametrize("version", ["3.7", "3.7-IV2", "4.0"])
def test_several_volumes_need_metadata_version_3_7_iv2(version: str) -> None:
    assert len(parse_spec(cluster(TWO_VOLUMES) | {"metadataVersion": version}).pools[1].storage.data_volumes) == 2


def test_a_combined_pool_may_have_several_volumes() -> None:
    spec = parse_spec(
        {"profile": "development", "pools": [{"name": "n", "roles": ["broker", "controller"], "replicas": 1, "storage": TWO_VOLUMES}]}
    )  # fmt: skip
    assert [volume.name for volume in spec.pools[0].storage.data_volumes] == ["data", "fast"]
