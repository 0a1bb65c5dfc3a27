"""The pod template: a pool's merged over the cluster's, every field on the objects it belongs to, kraft's own
keys kept, and what a change rolls."""

from typing import Any

import pytest

from kraft_component import external, manifests, naming
from kraft_component.jobs import metadata_version_job
from kraft_component.pod_template import GC_FLAGS, performance_options
from kraft_component.spec import (
    DEFAULT_GRACE_SECONDS,
    ClusterSpec,
    EnvVar,
    GarbageCollector,
    InvalidSpec,
    Jvm,
    ObjectMetadata,
    PodTemplate,
    Toleration,
    parse_spec,
)
from kraft_component.statefulset import statefulset

from .helpers import STACKS, stack_spec, tailored_config

NAMESPACE = "kafka"


def dedicated(**broker: Any) -> dict[str, Any]:
    """Three controllers and three brokers; `broker` keys go to the broker pool."""
    return {
        "pools": [
            {"name": "controllers", "roles": ["controller"], "replicas": 3},
            {"name": "brokers", "roles": ["broker"], "replicas": 3, **broker},
        ]
    }


def pods(spec: ClusterSpec) -> dict[str, dict[str, Any]]:
    """The pod template of each pool's StatefulSet, by pool name."""
    return {
        pool.name: statefulset(spec, pool, index, NAMESPACE)["spec"]["template"]
        for index, pool in enumerate(spec.pools)
    }


def env(template: dict[str, Any]) -> dict[str, str]:
    (container,) = template["spec"]["containers"]
    return {variable["name"]: variable.get("value", "") for variable in container["env"]}


TAILORED = parse_spec(tailored_config())


def test_every_field_reaches_the_pods_of_its_pool_merged_over_the_cluster() -> None:
    brokers, controllers = pods(TAILORED)["brokers"], pods(TAILORED)["controllers"]
    spec = brokers["spec"]
    assert spec["tolerations"] == [
        {"key": "dedicated", "value": "kafka", "effect": "NoSchedule"},
        {"key": "kafka-broker", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    ]
    node = spec["affinity"]["nodeAffinity"]
    assert [e["key"] for e in node["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0][
        "matchExpressions"
    ]] == ["node.kubernetes.io/instance-type", "example.com/generation"]  # fmt: skip
    assert node["preferredDuringSchedulingIgnoredDuringExecution"][0]["weight"] == 50  # the cluster's
    anti = spec["affinity"]["podAntiAffinity"]
    assert anti["requiredDuringSchedulingIgnoredDuringExecution"] == [
        {"labelSelector": {"matchLabels": {"app": "zookeeper"}}, "topologyKey": "kubernetes.io/hostname"}
    ]
    assert anti["preferredDuringSchedulingIgnoredDuringExecution"][0]["podAffinityTerm"]["namespaces"] == ["other"]
    assert (spec["priorityClassName"], spec["serviceAccountName"]) == ("kafka-critical", "kafka")
    assert spec["imagePullSecrets"] == [{"name": "registry-credentials"}]
    assert spec["automountServiceAccountToken"] is False, "a service account does not bring its token"
    assert (spec["terminationGracePeriodSeconds"], controllers["spec"]["terminationGracePeriodSeconds"]) == (
        DEFAULT_GRACE_SECONDS,
        120,
    )
    assert "podAntiAffinity" not in controllers["spec"]["affinity"], "a pool's terms stay in its pool"
    assert list(env(brokers))[-1] == "TZ" and "TZ" not in env(controllers)
    assert (brokers["metadata"]["labels"]["team"], brokers["metadata"]["annotations"]["sidecar.istio.io/inject"]) == (
        "streaming",
        "false",
    )


def test_the_jvm_heap_collector_and_flags_follow_the_template() -> None:
    brokers, controllers = env(pods(TAILORED)["brokers"]), env(pods(TAILORED)["controllers"])
    assert brokers["KAFKA_HEAP_OPTS"] == "-Xms6144m -Xmx6144m"  # explicit, within the 16Gi limit
    assert controllers["KAFKA_HEAP_OPTS"] == "-Xms2048m -Xmx2048m"  # derived: half the 4Gi limit
    assert controllers["KAFKA_JVM_PERFORMANCE_OPTS"].startswith("-server -XX:+UseZGC ")
    assert brokers["KAFKA_JVM_PERFORMANCE_OPTS"].endswith(" -XX:+ExitOnOutOfMemoryError -Xlog:gc*:stdout")
    assert "-XX:+UseG1GC" in brokers["KAFKA_JVM_PERFORMANCE_OPTS"]


def test_the_default_jvm_options_are_kafkas_g1_defaults_as_before() -> None:
    assert performance_options(Jvm()) == (
        "-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 "
        "-XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true"
    )
    assert set(GC_FLAGS) == set(GarbageCollector)


def test_statefulset_and_service_metadata_land_on_their_objects_only() -> None:
    (brokers,) = [pool for pool in TAILORED.pools if pool.name == "brokers"]
    sts = statefulset(TAILORED, brokers, 1, NAMESPACE)
    assert sts["metadata"]["labels"]["app.kubernetes.io/part-of"] == "payments"
    assert sts["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/part-of"] == "kraft"
    assert sts["metadata"]["labels"]["kraft/pool"] == "brokers", "kraft's own labels stay"
    for service in (manifests.headless_service(TAILORED, NAMESPACE), external.bootstrap_service(TAILORED, NAMESPACE)):
        assert service["metadata"]["annotations"]["example.com/owner"] == "streaming"
        assert "exposure" not in service["metadata"]["labels"]
    broker_service = external.broker_service(TAILORED, brokers, 0, NAMESPACE)
    assert broker_service["metadata"]["labels"]["exposure"] == "external"  # the pool's own
    assert broker_service["metadata"]["annotations"]["example.com/owner"] == "streaming"  # the cluster's


def test_the_admin_jobs_take_the_cluster_template_where_and_as_whom_pods_run() -> None:
    spec = parse_spec(tailored_config() | {"metadataVersion": "4.3"})
    job = metadata_version_job(spec, NAMESPACE)["spec"]["template"]
    assert job["spec"]["tolerations"] == [{"key": "dedicated", "value": "kafka", "effect": "NoSchedule"}]
    assert job["spec"]["imagePullSecrets"] == [{"name": "registry-credentials"}]
    assert job["spec"]["serviceAccountName"] == "kafka"
    assert job["metadata"]["annotations"] == {"sidecar.istio.io/inject": "false"}
    assert job["metadata"]["labels"]["app.kubernetes.io/name"] == naming.ADMIN_NAME
    assert list(job["spec"]["affinity"]) == ["nodeAffinity"], "the pools' own terms stay with their pools"
    assert "requiredDuringSchedulingIgnoredDuringExecution" not in job["spec"]["affinity"]["nodeAffinity"]
    assert "TZ" not in {variable["name"] for variable in job["spec"]["containers"][0]["env"]}


def test_a_pool_template_merges_over_the_cluster_template() -> None:
    cluster = PodTemplate.model_validate(
        {
            "tolerations": [{"key": "a", "operator": "Exists"}],
            "nodeAffinity": {"required": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["x"]}]}]},
            "imagePullSecrets": ["shared"],
            "priorityClassName": "cluster-wide",
            "env": [{"name": "A", "value": "cluster"}, {"name": "B", "value": "cluster"}],
            "jvm": {"gc": "ZGC", "extraFlags": ["-Da=1"]},
            "pod": {"labels": {"team": "x", "tier": "data"}},
        }
    )
    pool = PodTemplate.model_validate(
        {
            "tolerations": [{"key": "b", "operator": "Exists"}],
            "nodeAffinity": {"required": [{"matchExpressions": [{"key": "disk", "operator": "Exists"}]}]},
            "imagePullSecrets": ["shared", "own"],
            "env": [{"name": "B", "value": "pool"}],
            "jvm": {"extraFlags": ["-Da=2"]},
            "pod": {"labels": {"team": "y"}},
        }
    )
    merged = pool.over(cluster)
    assert [t.key for t in merged.tolerations] == ["a", "b"]  # lists: the cluster's, then the pool's
    assert [t.match_expressions[0].key for t in merged.node_affinity.required] == ["disk"]  # alternatives: replaced
    assert merged.image_pull_secrets == ["shared", "own"]
    assert merged.priority_class_name == "cluster-wide"  # single values: the pool's where set
    assert merged.env == [EnvVar(name="A", value="cluster"), EnvVar(name="B", value="pool")]  # by name
    assert (merged.jvm.gc, merged.jvm.extra_flags) == (cluster.jvm.gc, ["-Da=1", "-Da=2"])  # the last flag wins
    assert merged.pod == ObjectMetadata(labels={"team": "y", "tier": "data"})  # maps: key by key, the pool wins
    assert PodTemplate().over(cluster) == cluster.over(PodTemplate()) == cluster


def test_every_variable_kraft_gives_a_node_is_refused_as_extra_env() -> None:
    for spec in [*(stack_spec(stack) for stack in STACKS), TAILORED]:
        for pool in spec.pools:
            given = {variable.name for variable in spec.pod_template(pool).env}
            own = [name for name in env(pods(spec)[pool.name]) if name not in given]
            unreserved = [
                name
                for name in own
                if name not in naming.RESERVED_ENV and not name.startswith(naming.RESERVED_ENV_PREFIX)
            ]
            assert unreserved == [], "add them to naming.RESERVED_ENV"
            for name in own:
                with pytest.raises(ValueError, match="is set by kraft"):
                    EnvVar(name=name)


def rolled(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """The pools whose pod template differs between two configs."""
    old, new = pods(parse_spec(before)), pods(parse_spec(after))
    return {name for name in old if old[name] != new[name]}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (dedicated(template={"tolerations": [{"key": "k", "operator": "Exists"}]}), {"brokers"}),
        (dedicated(template={"jvm": {"gc": "ZGC"}}), {"brokers"}),
        (dedicated(template={"pod": {"annotations": {"a": "b"}}}), {"brokers"}),
        ({**dedicated(), "template": {"priorityClassName": "high"}}, {"brokers", "controllers"}),
        (dedicated(template={"statefulSet": {"labels": {"a": "b"}, "annotations": {"c": "d"}}}), set()),
        ({**dedicated(), "template": {"service": {"annotations": {"a": "b"}}}}, set()),
    ],
    ids=["pool tolerations", "pool collector", "pool pod annotations", "cluster template", "statefulset", "services"],
)
def test_a_template_change_rolls_the_pools_whose_pods_it_changes(change: dict[str, Any], expected: set[str]) -> None:
    assert rolled(dedicated(), change) == expected


def error_of(data: dict[str, Any]) -> str:
    with pytest.raises(InvalidSpec) as caught:
        parse_spec(data)
    return str(caught.value)


def broker_template(template: dict[str, Any]) -> dict[str, Any]:
    return dedicated(template=template)


KEY = "kraft:cluster.pools[1].template"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            broker_template({"tolerations": [{"key": "k", "effect": "NoSchedul"}]}),
            f"{KEY}.tolerations[0].effect: Input should be 'NoSchedule', 'PreferNoSchedule' or 'NoExecute'",
        ),
        (
            broker_template({"tolerations": [{"key": "k", "operator": "exists"}]}),
            f"{KEY}.tolerations[0].operator: Input should be 'Equal' or 'Exists'",
        ),
        (broker_template({"tolerations": [{"value": "v"}]}), f"{KEY}.tolerations[0].operator: must be Exists"),
        (
            broker_template({"tolerations": [{"key": "k", "operator": "Exists", "value": "v"}]}),
            f"{KEY}.tolerations[0].value: must be unset with operator Exists",
        ),
        (
            broker_template({"tolerations": [{"key": "k", "effect": "NoSchedule", "tolerationSeconds": 5}]}),
            f"{KEY}.tolerations[0].tolerationSeconds: applies to effect NoExecute only",
        ),
        (
            broker_template({"tolerations": [{"key": "bad key"}]}),
            f"{KEY}.tolerations[0].key: 'bad key' is not a label key",
        ),
        (
            broker_template({"nodeAffinity": {"required": [{"matchExpressions": [{"key": "k", "operator": "In"}]}]}}),
            f"{KEY}.nodeAffinity.required[0].matchExpressions[0].values: must list at least one value with operator In",
        ),
        (
            broker_template(
                {"nodeAffinity": {"required": [{"matchExpressions": [{"key": "k", "operator": "Lt", "values": ["a"]}]}]}}
            ),
            f"{KEY}.nodeAffinity.required[0].matchExpressions[0].values: must be exactly one integer with operator Lt",
        ),
        (
            broker_template({"nodeAffinity": {"required": [{"matchExpressions": []}]}}),
            f"{KEY}.nodeAffinity.required[0].matchExpressions: List should have at least 1 item",
        ),
        (
            broker_template({"nodeAffinity": {"preferred": [{"weight": 0, "preference": {"matchExpressions": []}}]}}),
            f"{KEY}.nodeAffinity.preferred[0].weight: Input should be greater than or equal to 1",
        ),
        (
            broker_template({"podAntiAffinity": {"required": [{"labelSelector": {}, "topologyKey": "zone"}]}}),
            f"{KEY}.podAntiAffinity.required[0].labelSelector: selects every pod",
        ),
        (
            broker_template(
                {
                    "podAntiAffinity": {
                        "required": [
                            {
                                "labelSelector": {"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]},
                                "topologyKey": "zone",
                            }
                        ]
                    }
                }
            ),
            f"{KEY}.podAntiAffinity.required[0].labelSelector.matchExpressions[0].operator: Input should be 'In', "
            "'NotIn', 'Exists' or 'DoesNotExist'",
        ),
        (broker_template({"priorityClassName": "High"}), f"{KEY}.priorityClassName: 'High' must be a DNS subdomain"),
        (broker_template({"imagePullSecrets": ["a b"]}), f"{KEY}.imagePullSecrets[0]: 'a b' must be a DNS subdomain"),
        (broker_template({"serviceAccountName": "-x"}), f"{KEY}.serviceAccountName: '-x' must be a DNS subdomain"),
        (
            broker_template({"pod": {"labels": {"kraft/pool": "other"}}}),
            f"{KEY}.pod.labels.\"kraft/pool\" (the key): 'kraft/pool' is kraft's own",
        ),
        (
            broker_template({"statefulSet": {"labels": {"app.kubernetes.io/instance": "x"}}}),
            f"{KEY}.statefulSet.labels.\"app.kubernetes.io/instance\" (the key): 'app.kubernetes.io/instance' is kraft's",
        ),
        (
            broker_template({"statefulSet": {"annotations": {"pulumi.com/skipAwait": "true"}}}),
            f"{KEY}.statefulSet.annotations.\"pulumi.com/skipAwait\" (the key): 'pulumi.com/skipAwait' is kraft's own",
        ),
        (
            {**dedicated(), "template": {"service": {"annotations": {"checkov.io/skip1": "CKV_K8S_1=x"}}}},
            "kraft:cluster.template.service.annotations.\"checkov.io/skip1\" (the key): 'checkov.io/skip1' is kraft's own",
        ),
        (broker_template({"pod": {"labels": {"team": "a b"}}}), f"{KEY}.pod.labels.team: 'a b' is not a label value"),
        (
            broker_template({"pod": {"annotations": {"example.com/big": "x" * 131_060}}}),
            f"{KEY}.pod.annotations: hold 131075 bytes; allowed: at most 131072",
        ),
        (
            broker_template({"env": [{"name": "KAFKA_HEAP_OPTS", "value": "-Xmx1g"}]}),
            f"{KEY}.env[0].name: 'KAFKA_HEAP_OPTS' is set by kraft; reserved: KRAFT_* and POD_NAME",
        ),
        (broker_template({"env": [{"name": "KRAFT_TEMPLATE"}]}), f"{KEY}.env[0].name: 'KRAFT_TEMPLATE' is set by kraft"),
        (broker_template({"env": [{"name": "KAFKA_OPTS"}]}), "the heap, collector and JVM flags are template.jvm"),
        (broker_template({"env": [{"name": "1A"}]}), f"{KEY}.env[0].name: '1A' is not a variable name"),
        (
            broker_template({"env": [{"name": "A"}, {"name": "A"}]}),
            f"{KEY}.env[1].name: 'A' is set twice",
        ),
        (
            broker_template({"terminationGracePeriodSeconds": 29}),
            f"{KEY}.terminationGracePeriodSeconds: 29 is outside 30-86400: a stopping broker first has the "
            "controller move its leadership away",
        ),
        (
            broker_template({"jvm": {"heap": "1920Mi"}}),
            f"{KEY}.jvm.heap: 1920Mi does not fit the memory limit 2Gi of pool 'brokers': the JVM needs 256Mi",
        ),
        (
            {**dedicated(), "template": {"jvm": {"heap": "3Gi"}}},
            "kraft:cluster.template.jvm.heap: 3Gi does not fit the memory limit 2Gi of pool 'controllers'",
        ),
        (broker_template({"jvm": {"heap": "3GB"}}), f"{KEY}.jvm.heap: '3GB' is not a Kubernetes quantity"),
        (broker_template({"jvm": {"heap": "512Ki"}}), f"{KEY}.jvm.heap: 512Ki is below 1Mi"),
        (
            broker_template({"jvm": {"extraFlags": ["-Xmx4g"]}}),
            f"{KEY}.jvm.extraFlags[0]: '-Xmx4g' sizes the heap; set template.jvm.heap instead",
        ),
        (
            broker_template({"jvm": {"extraFlags": ["-XX:MaxRAMPercentage=75"]}}),
            f"{KEY}.jvm.extraFlags[0]: '-XX:MaxRAMPercentage=75' sizes the heap",
        ),
        (
            broker_template({"jvm": {"extraFlags": ["-XX:+UseParallelGC"]}}),
            f"{KEY}.jvm.extraFlags[0]: '-XX:+UseParallelGC' chooses the collector; set template.jvm.gc instead "
            "(allowed: G1, ZGC)",
        ),
        (
            broker_template({"jvm": {"extraFlags": ["-Da=1 -Db=2"]}}),
            f"{KEY}.jvm.extraFlags[0]: '-Da=1 -Db=2' is not one JVM flag",
        ),
        (broker_template({"jvm": {"extraFlags": ["$(id)"]}}), f"{KEY}.jvm.extraFlags[0]: '$(id)' is not one JVM flag"),
        (broker_template({"jvm": {"gc": "CMS"}}), f"{KEY}.jvm.gc: Input should be 'G1' or 'ZGC'"),
        (
            broker_template({"affinity": {}}),
            f"{KEY}.affinity: unknown key; allowed keys here: env, imagePullSecrets, jvm, nodeAffinity",
        ),
    ],
    ids=lambda value: value[len(KEY) + 1 :][:45] if isinstance(value, str) else None,
)  # fmt: skip
def test_bad_template_values_are_refused_naming_the_key_and_what_is_allowed(
    data: dict[str, Any], expected: str
) -> None:
    assert expected in error_of(data)


def test_a_grace_period_of_30_seconds_and_a_heap_that_leaves_256mi_are_accepted() -> None:
    spec = parse_spec(broker_template({"terminationGracePeriodSeconds": 30, "jvm": {"heap": "1792Mi"}}))
    assert env(pods(spec)["brokers"])["KAFKA_HEAP_OPTS"] == "-Xms1792m -Xmx1792m"
    assert pods(spec)["brokers"]["spec"]["terminationGracePeriodSeconds"] == 30


def test_a_toleration_without_key_tolerates_every_taint() -> None:
    assert Toleration.model_validate({"operator": "Exists"}).key is None
