"""KraftCluster under mocks: every object it registers, the fields that matter and the resource options."""

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from kraft_component import KraftCluster, KraftClusterArgs, naming
from kraft_component.evaluation import REDACTED, Evaluation, Registration, evaluate
from kraft_component.pod_template import heap_mib
from kraft_component.spec import Jvm, parse_spec

from .helpers import deploy, objects, one, registration

DEDICATED = {
    "pools": [
        {"name": "controllers", "roles": ["controller"], "replicas": 3},
        {"name": "brokers", "roles": ["broker"], "replicas": 4},
    ]
}
ADOPTED_ID = "MkU3OEVBNTcwNTJENDM2Qg"
STATIC = {**DEDICATED, "quorum": {"mode": "static"}}


def pod_template(statefulset: dict[str, Any]) -> dict[str, Any]:
    template: dict[str, Any] = statefulset["spec"]["template"]
    return template


def kafka_container(statefulset: dict[str, Any]) -> dict[str, Any]:
    (container,) = pod_template(statefulset)["spec"]["containers"]
    result: dict[str, Any] = container
    return result


def env_of(statefulset: dict[str, Any]) -> dict[str, Any]:
    return {item["name"]: item.get("value", item.get("valueFrom")) for item in kafka_container(statefulset)["env"]}


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def test_registers_one_component_with_every_object_as_its_child() -> None:
    evaluation = deploy(DEDICATED)
    component = registration(evaluation, "KraftCluster", "kafka")
    assert component.type == "kraft:index:KraftCluster"
    children = [r for r in evaluation.registrations if r is not component]
    assert all(r.parent.endswith("kraft:index:KraftCluster::kafka") for r in children)
    kinds = sorted(obj["kind"] for obj in evaluation.kubernetes_objects())
    assert kinds == sorted(
        ["Namespace", "Secret", "Secret", "ConfigMap", "Service", "Service", "NetworkPolicy", "NetworkPolicy", "Job"]
        + ["StatefulSet", "PodDisruptionBudget"] * 2
        + ["ConfigMap", "Job"]  # dynamic quorum: its marker and the add-controllers Job
    ), "the users Job (and the admin Jobs' NetworkPolicy): a SASL listener lets users log in"
    assert {
        obj["metadata"].get("namespace") for obj in evaluation.kubernetes_objects() if obj["kind"] != "Namespace"
    } == {"kafka"}


def test_generated_cluster_id_is_16_random_bytes_generated_once_kept_in_a_protected_secret() -> None:
    evaluation = deploy()
    random_id = registration(evaluation, "RandomId", "kafka-cluster-id")
    assert random_id.inputs["byteLength"] == 16
    assert random_id.protect
    secret = registration(evaluation, "Secret", "kafka-cluster-id")
    assert secret.protect
    value = secret.manifest(show_secrets=True)["stringData"]["cluster-id"]
    assert len(value) == 22
    assert secret.manifest()["stringData"]["cluster-id"] == REDACTED


def test_adopted_cluster_id_replaces_generation() -> None:
    evaluation = deploy(STATIC, cluster_id=ADOPTED_ID)
    assert not [r for r in evaluation.registrations if r.type.endswith("RandomId")]
    assert one(evaluation, "Secret", "kafka-cluster-id")["stringData"]["cluster-id"] == REDACTED
    secret = registration(evaluation, "Secret", "kafka-cluster-id")
    assert secret.manifest(show_secrets=True)["stringData"]["cluster-id"] == ADOPTED_ID


def test_an_adopted_cluster_id_that_is_not_base64url_is_refused_before_anything_exists() -> None:
    with pytest.raises(ValueError, match=r"KraftClusterArgs.cluster_id: .*22 characters"):
        KraftClusterArgs(cluster_id="not-a-cluster-id")


def test_an_adopted_cluster_id_from_an_output_is_checked_once_known() -> None:
    def program() -> KraftCluster:
        return KraftCluster("kafka", KraftClusterArgs(cluster_id=pulumi.Output.from_input("not-an-id")))

    with pytest.raises(ValueError, match=r"KraftClusterArgs.cluster_id: .*22 characters"):
        evaluate(program)


def test_cluster_id_never_appears_as_a_literal_in_env_or_configmap() -> None:
    evaluation = deploy(cluster_id=ADOPTED_ID)
    for statefulset in objects(evaluation, "StatefulSet"):
        container = kafka_container(statefulset)
        assert all("value" not in item or ADOPTED_ID not in item["value"] for item in container["env"])
        assert all("secretKeyRef" not in str(item) for item in container["env"]), "secrets are mounted as files"
        mounts = {m["name"]: m for m in container["volumeMounts"]}
        volumes = {v["name"]: v for v in pod_template(statefulset)["spec"]["volumes"]}
        assert volumes["cluster-id"]["secret"]["secretName"] == "kafka-cluster-id"
        assert mounts["cluster-id"]["readOnly"] is True
        assert env_of(statefulset)["KRAFT_CLUSTER_ID_FILE"] == mounts["cluster-id"]["mountPath"] + "/cluster-id"
    assert ADOPTED_ID not in str(objects(evaluation, "ConfigMap"))


def test_headless_service_names_every_pod_ready_or_not() -> None:
    evaluation = deploy(DEDICATED)
    headless = one(evaluation, "Service", "kafka-headless")
    assert headless["spec"]["clusterIP"] == "None"
    assert headless["spec"]["publishNotReadyAddresses"] is True
    for statefulset in objects(evaluation, "StatefulSet"):
        assert statefulset["spec"]["serviceName"] == "kafka-headless"
        assert selects(headless["spec"]["selector"], pod_template(statefulset)["metadata"]["labels"])
    assert {p["name"]: p["port"] for p in headless["spec"]["ports"]} == {
        "client": 9092,
        "internal": 9094,
        "controller": 9093,
    }


def test_bootstrap_service_reaches_the_client_port_of_brokers_only() -> None:
    evaluation = deploy(DEDICATED)
    bootstrap = one(evaluation, "Service", "kafka-bootstrap")
    assert bootstrap["spec"]["ports"] == [{"name": "client", "port": 9092, "targetPort": "client", "protocol": "TCP"}]
    selected = {
        s["metadata"]["name"]
        for s in objects(evaluation, "StatefulSet")
        if selects(bootstrap["spec"]["selector"], pod_template(s)["metadata"]["labels"])
    }
    assert selected == {"kafka-brokers"}


def test_configmap_holds_the_bootstrap_script_and_a_template_per_pool() -> None:
    data = one(deploy(DEDICATED), "ConfigMap", "kafka-config")["data"]
    assert {
        "node-bootstrap.sh",
        "controller-ready.sh",
        "log4j2.yaml",
        "controllers.properties",
        "brokers.properties",
    } <= data.keys()
    assert "process.roles=controller\n" in data["controllers.properties"]
    assert "process.roles=broker\n" in data["brokers.properties"]
    assert "--ignore-formatted" in data["node-bootstrap.sh"]


def test_kafka_3_9_logs_with_log4j_1_configuration() -> None:
    evaluation = deploy({"kafkaVersion": "3.9.2"})
    assert "log4j.properties" in one(evaluation, "ConfigMap", "kafka-config")["data"]
    assert (
        env_of(one(evaluation, "StatefulSet", "kafka-brokers"))["KAFKA_LOG4J_OPTS"]
        == "-Dlog4j.configuration=file:/etc/kraft/log4j.properties"
    )


def test_statefulset_starts_pods_in_parallel_and_retains_volumes() -> None:
    spec = one(deploy(), "StatefulSet", "kafka-brokers")["spec"]
    assert spec["podManagementPolicy"] == "Parallel"
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    assert spec["replicas"] == 3
    assert selects(spec["selector"]["matchLabels"], spec["template"]["metadata"]["labels"])


def test_statefulset_is_replaced_by_delete_then_create_and_waits_for_its_inputs() -> None:
    evaluation = deploy(DEDICATED)
    for name in ("kafka-controllers", "kafka-brokers"):
        statefulset = registration(evaluation, "StatefulSet", name)
        assert statefulset.delete_before_replace
        assert statefulset.ignore_changes == ("spec.volumeClaimTemplates",), "a resize must not replace the pool"
        assert statefulset.custom_timeouts == {"create": "30m", "update": "30m"}
        prerequisites = {
            registration(evaluation, t, n).name
            for t, n in (("Secret", "kafka-cluster-id"), ("ConfigMap", "kafka-config"), ("Service", "kafka-headless"))
        }
        assert prerequisites <= {urn.rsplit("::", 1)[1] for urn in statefulset.depends_on}


def test_broker_pools_wait_for_every_controller_pool_so_upgrades_roll_controllers_first() -> None:
    spec = {
        "pools": [
            {"name": "brokers", "roles": ["broker"], "replicas": 3},
            {"name": "controllers", "roles": ["controller"], "replicas": 3},
            {"name": "more-brokers", "roles": ["broker"], "replicas": 3},
        ]
    }
    evaluation = deploy(spec)
    waits_for = {
        name: {urn.rsplit("::", 1)[1] for urn in registration(evaluation, "StatefulSet", name).depends_on}
        for name in ("kafka-brokers", "kafka-controllers", "kafka-more-brokers")
    }
    assert "kafka-controllers" in waits_for["kafka-brokers"]
    assert "kafka-controllers" in waits_for["kafka-more-brokers"]
    assert not {"kafka-brokers", "kafka-more-brokers"} & waits_for["kafka-controllers"]


def test_metadata_version_is_finalised_by_a_job_after_every_pool_has_rolled() -> None:
    evaluation = deploy({**DEDICATED, "metadataVersion": "4.3"})
    job = registration(evaluation, "Job", "kafka-metadata-version")
    assert {"kafka-controllers", "kafka-brokers"} <= {urn.rsplit("::", 1)[1] for urn in job.depends_on}
    assert job.delete_before_replace, "a Job's template is immutable: a new version replaces it"
    (container,) = job.manifest()["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["/bin/bash", "/etc/kraft/metadata-version.sh"]
    assert {
        "KRAFT_METADATA_VERSION": "4.3",
        "KRAFT_BOOTSTRAP_SERVERS": "kafka-bootstrap.kafka.svc.cluster.local:9092",
    }.items() <= {variable["name"]: variable["value"] for variable in container["env"]}.items()
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    job_pod_labels = job.manifest()["spec"]["template"]["metadata"]["labels"]
    for service in objects(evaluation, "Service"):
        assert not selects(service["spec"]["selector"], job_pod_labels), "no Service routes to the Job's pod"
    for budget in objects(evaluation, "PodDisruptionBudget"):
        assert not selects(budget["spec"]["selector"]["matchLabels"], job_pod_labels)


def test_no_job_until_a_metadata_version_is_asked_for() -> None:
    static, dynamic = ({job["metadata"]["name"] for job in objects(deploy(c), "Job")} for c in (STATIC, DEDICATED))
    assert naming.metadata_version_job_name("kafka") not in static | dynamic
    assert dynamic - static == {"kafka-add-controllers"}, "every dynamic quorum has the add-controllers Job"


def test_volume_claims_have_the_pool_size_and_storage_class() -> None:
    evaluation = deploy(
        {
            "pools": [
                DEDICATED["pools"][0],
                {**DEDICATED["pools"][1], "storage": {"size": "75Gi", "storageClass": "fast-ssd"}},
            ]
        }
    )
    (claim,) = one(evaluation, "StatefulSet", "kafka-brokers")["spec"]["volumeClaimTemplates"]
    assert claim["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "75Gi"}},
        "storageClassName": "fast-ssd",
    }
    brokers = one(evaluation, "StatefulSet", "kafka-brokers")
    mounts = {m["name"]: m["mountPath"] for m in kafka_container(brokers)["volumeMounts"]}
    assert mounts[claim["metadata"]["name"]] == "/var/lib/kafka/data"


def test_grown_volumes_are_patched_claim_by_claim_while_the_template_stays() -> None:
    grown = {"size": "50Gi", "templateSize": "20Gi"}
    spec = {"pools": [DEDICATED["pools"][0], {**DEDICATED["pools"][1], "storage": grown}]}
    evaluation = deploy(spec)
    (claim,) = one(evaluation, "StatefulSet", "kafka-brokers")["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "20Gi"
    patches = [r for r in evaluation.registrations if r.type == "kubernetes:core/v1:PersistentVolumeClaimPatch"]
    assert sorted(p.manifest()["metadata"]["name"] for p in patches) == [f"data-kafka-brokers-{i}" for i in range(4)]
    for patch in patches:
        manifest = patch.manifest()
        assert manifest["spec"] == {"resources": {"requests": {"storage": "50Gi"}}}
        assert manifest["metadata"]["annotations"] == {"pulumi.com/patchForce": "true"}
        assert any(urn.endswith("::kafka-brokers") for urn in patch.depends_on), "the claims exist once the pool does"
    assert not objects(deploy(DEDICATED), "PersistentVolumeClaim"), "nothing to patch until a pool grows"


def test_unset_storage_class_uses_the_cluster_default() -> None:
    (claim,) = one(deploy(), "StatefulSet", "kafka-brokers")["spec"]["volumeClaimTemplates"]
    assert "storageClassName" not in claim["spec"]


def test_pods_meet_the_restricted_pod_security_standard() -> None:
    statefulset = one(deploy(), "StatefulSet", "kafka-brokers")
    pod = pod_template(statefulset)["spec"]
    assert pod["securityContext"] == {
        "runAsNonRoot": True, "runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 1000,
        "fsGroupChangePolicy": "OnRootMismatch", "seccompProfile": {"type": "RuntimeDefault"},
    }  # fmt: skip
    context = kafka_container(statefulset)["securityContext"]
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["runAsNonRoot"] is True
    assert context["readOnlyRootFilesystem"] is True
    assert pod["enableServiceLinks"] is False
    assert pod["automountServiceAccountToken"] is False


def test_writable_paths_are_exactly_the_scratch_volumes_and_the_data_volume() -> None:
    statefulset = one(deploy(), "StatefulSet", "kafka-brokers")
    volumes = {v["name"]: v for v in pod_template(statefulset)["spec"]["volumes"]}
    writable = {m["mountPath"] for m in kafka_container(statefulset)["volumeMounts"] if not m.get("readOnly")}
    assert writable == {"/var/lib/kafka/data", "/var/lib/kraft", "/opt/kafka/logs", "/tmp"}
    assert all("emptyDir" in volumes[name] for name in ("runtime", "kafka-logs", "tmp"))


def test_requests_and_limits_reach_the_container_and_size_the_heap() -> None:
    resources = {"requests": {"cpu": "1", "memory": "6Gi"}, "limits": {"cpu": "3", "memory": "6Gi"}}
    statefulset = one(
        deploy({"pools": [DEDICATED["pools"][0], {**DEDICATED["pools"][1], "resources": resources}]}),
        "StatefulSet",
        "kafka-brokers",
    )
    assert kafka_container(statefulset)["resources"] == resources
    assert env_of(statefulset)["KAFKA_HEAP_OPTS"] == "-Xms3072m -Xmx3072m"


@pytest.mark.parametrize(
    ("limit", "heap"), [("1Gi", 512), ("2Gi", 1024), ("3000Mi", 1500), ("8G", 3814), ("10Gi", 5120), ("64Gi", 5120)]
)
def test_heap_is_half_the_memory_limit_capped_at_5_gib(limit: str, heap: int) -> None:
    assert heap_mib(limit, Jvm()) == heap


def test_probes_name_declared_ports_and_mean_what_they_say() -> None:
    evaluation = deploy(DEDICATED)
    brokers = kafka_container(one(evaluation, "StatefulSet", "kafka-brokers"))
    controllers = kafka_container(one(evaluation, "StatefulSet", "kafka-controllers"))
    assert {p["name"] for p in brokers["ports"]} == {"client", "internal"}
    assert {p["name"] for p in controllers["ports"]} == {"controller"}
    # A broker opens its client port only once it has caught up and is unfenced.
    assert brokers["readinessProbe"]["tcpSocket"] == {"port": "client"}
    assert brokers["startupProbe"]["tcpSocket"] == {"port": "client"}
    assert brokers["livenessProbe"]["tcpSocket"] == {"port": "internal"}
    # A controller opens its port without a quorum: readiness checks that it follows the quorum.
    assert controllers["readinessProbe"]["exec"]["command"] == ["/bin/bash", "/etc/kraft/controller-ready.sh"]
    assert controllers["livenessProbe"]["tcpSocket"] == {"port": "controller"}


def test_startup_probe_covers_the_pool_startup_timeout() -> None:
    pool = {**DEDICATED["pools"][1], "startupTimeoutSeconds": 1805}
    probe = kafka_container(one(deploy({"pools": [DEDICATED["pools"][0], pool]}), "StatefulSet", "kafka-brokers"))[
        "startupProbe"
    ]
    assert probe["periodSeconds"] * probe["failureThreshold"] >= 1805


def test_pods_spread_across_zones_and_hosts() -> None:
    pool = {**DEDICATED["pools"][1], "scheduling": {"zoneSpread": "required", "nodeSelector": {"disk": "ssd"}}}
    statefulset = one(deploy({"pools": [DEDICATED["pools"][0], pool]}), "StatefulSet", "kafka-brokers")
    pod = pod_template(statefulset)["spec"]
    spread = {c["topologyKey"]: c for c in pod["topologySpreadConstraints"]}
    assert spread["topology.kubernetes.io/zone"]["whenUnsatisfiable"] == "DoNotSchedule"
    assert spread["kubernetes.io/hostname"]["whenUnsatisfiable"] == "DoNotSchedule"
    assert all(
        selects(c["labelSelector"]["matchLabels"], pod_template(statefulset)["metadata"]["labels"])
        for c in spread.values()
    )
    assert pod["nodeSelector"] == {"disk": "ssd"}


def test_a_pool_per_zone_pins_its_pods_and_gives_its_brokers_that_rack() -> None:
    zones = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
    pools = [{"name": "controllers", "roles": ["controller"], "replicas": 3}] + [
        {"name": f"brokers-{zone[-1]}", "roles": ["broker"], "replicas": 2, "scheduling": {"zone": zone}}
        for zone in zones
    ]
    evaluation = deploy({"pools": pools})
    templates = one(evaluation, "ConfigMap", "kafka-config")["data"]
    for zone in zones:
        statefulset = one(evaluation, "StatefulSet", f"kafka-brokers-{zone[-1]}")
        pod = pod_template(statefulset)["spec"]
        assert pod["nodeSelector"] == {"topology.kubernetes.io/zone": zone}
        assert [c["topologyKey"] for c in pod["topologySpreadConstraints"]] == ["kubernetes.io/hostname"]
        assert f"broker.rack={zone}\n" in templates[f"brokers-{zone[-1]}.properties"]
    assert "broker.rack" not in templates["controllers.properties"]
    controllers = pod_template(one(evaluation, "StatefulSet", "kafka-controllers"))["spec"]
    assert "nodeSelector" not in controllers
    assert "topology.kubernetes.io/zone" in [c["topologyKey"] for c in controllers["topologySpreadConstraints"]]


def test_node_identity_env_comes_from_the_pool() -> None:
    env = env_of(one(deploy(DEDICATED), "StatefulSet", "kafka-brokers"))
    assert env["POD_NAME"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert env["KRAFT_STATEFULSET"] == "kafka-brokers"
    assert env["KRAFT_NODE_ID_OFFSET"] == "100"
    assert env["KRAFT_NODE_ID_KEY"] == "kraft:cluster.pools[1].nodeIdOffset"
    assert env["KRAFT_TEMPLATE"] == "/etc/kraft/brokers.properties"


def checksums(spec: dict[str, Any]) -> dict[str, str]:
    return {
        s["metadata"]["name"]: pod_template(s)["metadata"]["annotations"]["kraft/config-checksum"]
        for s in objects(deploy(spec), "StatefulSet")
    }


def test_a_configuration_change_rolls_the_pods_it_affects() -> None:
    before = checksums(DEDICATED)
    assert checksums(DEDICATED) == before, "the checksum is deterministic"
    lower_min_isr = checksums({**DEDICATED, "topicDefaults": {"minInsyncReplicas": 1}})
    assert all(lower_min_isr[name] != before[name] for name in before)
    longer_retention = checksums({**DEDICATED, "kafkaConfig": {"log.retention.hours": 72}})
    assert all(longer_retention[name] != before[name] for name in before)
    more_partitions = checksums({**DEDICATED, "topicDefaults": {"partitions": 12}})
    assert more_partitions["kafka-controllers"] != before["kafka-controllers"]
    assert more_partitions["kafka-brokers"] == before["kafka-brokers"], "from Kafka 4.3 only controllers read it"
    resized = {"pools": [DEDICATED["pools"][0], {**DEDICATED["pools"][1], "replicas": 5}]}
    assert checksums(resized)["kafka-controllers"] == before["kafka-controllers"]


def test_growing_a_dynamic_quorum_rolls_no_running_node() -> None:
    """The new controllers find the quorum through the grown list; the running nodes follow the voters."""
    three = {**DEDICATED, "quorum": {"mode": "dynamic", "initialControllers": 3}}
    grown = {**three, "pools": [{**DEDICATED["pools"][0], "replicas": 5}, DEDICATED["pools"][1]]}
    templates = {s["metadata"]["name"]: pod_template(s) for s in objects(deploy(three), "StatefulSet")}
    assert {s["metadata"]["name"]: pod_template(s) for s in objects(deploy(grown), "StatefulSet")} == templates
    grown_list = one(deploy(grown), "ConfigMap", "kafka-config")["data"]["brokers.properties"]
    assert "kafka-controllers-4.kafka-headless" in grown_list, "a node that starts reads the current list"
    static_grown = {**DEDICATED, "quorum": {"mode": "static"}, "pools": grown["pools"]}
    assert checksums(static_grown) != checksums(STATIC), "static voters are read at start and never change"


def test_one_pod_disruption_budget_per_pool() -> None:
    evaluation = deploy(DEDICATED)
    budgets = {b["metadata"]["name"]: b["spec"] for b in objects(evaluation, "PodDisruptionBudget")}
    assert set(budgets) == {"kafka-controllers", "kafka-brokers"}
    for statefulset in objects(evaluation, "StatefulSet"):
        budget = budgets[statefulset["metadata"]["name"]]
        assert budget["maxUnavailable"] == 1
        others = [
            s for s in objects(evaluation, "StatefulSet") if s["metadata"]["name"] != statefulset["metadata"]["name"]
        ]
        assert selects(budget["selector"]["matchLabels"], pod_template(statefulset)["metadata"]["labels"])
        assert not any(
            selects(budget["selector"]["matchLabels"], pod_template(o)["metadata"]["labels"]) for o in others
        )


def test_created_namespace_is_restricted_and_survives_destroy() -> None:
    evaluation = deploy()
    namespace = registration(evaluation, "Namespace", "kafka-namespace")
    assert namespace.retain_on_delete, "deleting the namespace would delete the volumes"
    labels = namespace.manifest()["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_existing_namespace_is_used_without_creating_one() -> None:
    evaluation = deploy({"namespace": "data", "createNamespace": False})
    assert not objects(evaluation, "Namespace")
    assert {obj["metadata"]["namespace"] for obj in evaluation.kubernetes_objects()} == {"data"}


def test_namespace_may_be_an_output_of_another_resource() -> None:
    def program() -> KraftCluster:
        namespace = k8s.core.v1.Namespace("team", metadata={"name": "team-streams"})
        return KraftCluster("kafka", KraftClusterArgs(None, namespace=namespace.metadata.name))

    evaluation = evaluate(program)
    assert [n["metadata"]["name"] for n in objects(evaluation, "Namespace")] == ["team-streams"]
    assert {o["metadata"]["namespace"] for o in evaluation.kubernetes_objects() if o["kind"] != "Namespace"} == {
        "team-streams"
    }
    assert "team-streams.svc" in one(evaluation, "ConfigMap", "kafka-config")["data"]["brokers.properties"]


def test_outputs() -> None:
    def program() -> dict[str, Any]:
        cluster = KraftCluster("kafka", KraftClusterArgs(DEDICATED, cluster_id=ADOPTED_ID))
        return {
            "bootstrap_servers": cluster.bootstrap_servers,
            "cluster_id": cluster.cluster_id,
            "cluster_id_is_secret": pulumi.Output.from_input(cluster.cluster_id.is_secret()),
            "namespace": cluster.namespace,
            "headless": cluster.headless_service_name,
            "bootstrap": cluster.bootstrap_service_name,
            "statefulsets": cluster.statefulset_names,
        }

    assert evaluate(program).resolved == {
        "bootstrap_servers": "kafka-bootstrap.kafka.svc.cluster.local:9092",
        "cluster_id": ADOPTED_ID,
        "cluster_id_is_secret": True,
        "namespace": "kafka",
        "headless": "kafka-headless",
        "bootstrap": "kafka-bootstrap",
        "statefulsets": {"controllers": "kafka-controllers", "brokers": "kafka-brokers"},
    }


def test_a_validated_spec_is_accepted_as_is() -> None:
    spec = parse_spec(DEDICATED)
    assert KraftClusterArgs(spec).spec is spec


def test_bad_args_fail_before_any_resource_is_registered() -> None:
    def program() -> KraftCluster:
        return KraftCluster("kafka", KraftClusterArgs({"pools": [{"name": "n", "roles": ["broker"], "replicas": 3}]}))

    registered: list[Registration] = []
    with pytest.raises(ValueError, match=r"KraftClusterArgs.spec.pools: no pool has the role 'controller'"):
        registered = evaluate(program).registrations
    assert registered == []


# --- dynamic quorum: directory IDs ------------------------------------------------------------------------


def dynamic_controllers(replicas: int, initial: int = 3) -> dict[str, Any]:
    """Dedicated controllers in a dynamic quorum formed by `initial` of them."""
    controllers = {**DEDICATED["pools"][0], "replicas": replicas}
    return {
        "profile": "development",
        "quorum": {"mode": "dynamic", "initialControllers": initial},
        "pools": [controllers, DEDICATED["pools"][1]],
    }


def directory_ids_of(evaluation: Evaluation) -> dict[str, str]:
    data = registration(evaluation, "Secret", "kafka-cluster-id").manifest(show_secrets=True)["stringData"]
    return {key: value for key, value in data.items() if key.startswith("directory-id-")}


def test_the_secret_holds_a_directory_id_per_controller_redacted_unless_shown() -> None:
    evaluation = deploy(dynamic_controllers(3), cluster_id=ADOPTED_ID)
    ids = directory_ids_of(evaluation)
    assert sorted(ids) == ["directory-id-0", "directory-id-1", "directory-id-2"]
    assert all(len(value) == 22 for value in ids.values()) and len(set(ids.values())) == 3
    redacted = registration(evaluation, "Secret", "kafka-cluster-id").manifest()["stringData"]
    passwords = {"kraft-admin.password", "kraft-internal.password"}
    assert set(redacted) == {"cluster-id", *passwords, *ids} and set(redacted.values()) == {REDACTED}
    visible = str([obj for obj in evaluation.kubernetes_objects() if obj["kind"] != "Secret"])
    assert not [value for value in ids.values() if value in visible], "a directory ID left the Secret"


def test_directory_ids_come_from_one_protected_seed_whatever_the_controller_count() -> None:
    for replicas in (3, 7):
        seeds = [r for r in deploy(dynamic_controllers(replicas)).registrations if r.type.endswith("RandomId")]
        assert [(r.name, r.inputs["byteLength"], r.protect) for r in seeds if "seed" in r.name] == [
            ("kafka-directory-id-seed", 32, True)
        ]


def test_only_the_initial_controllers_have_directory_ids_and_growing_keeps_them() -> None:
    before = directory_ids_of(deploy(dynamic_controllers(3)))
    after = directory_ids_of(deploy(dynamic_controllers(5)))
    assert sorted(after) == sorted(before) == [f"directory-id-{node}" for node in range(3)]
    assert after == before


def test_a_static_quorum_keeps_no_directory_ids() -> None:
    evaluation = deploy(STATIC)
    assert directory_ids_of(evaluation) == {}
    assert not [r for r in evaluation.registrations if r.name.endswith("directory-id-seed")]


def test_dynamic_controllers_learn_the_initial_controllers_brokers_do_not() -> None:
    evaluation = deploy(dynamic_controllers(5))
    controllers = env_of(one(evaluation, "StatefulSet", "kafka-controllers"))
    brokers = env_of(one(evaluation, "StatefulSet", "kafka-brokers"))
    initial = controllers["KRAFT_INITIAL_CONTROLLERS"].split(",")
    assert [entry.split("@")[0] for entry in initial] == ["0", "1", "2"]
    assert initial[0] == "0@kafka-controllers-0.kafka-headless.kafka.svc.cluster.local:9093"
    assert (controllers["KRAFT_QUORUM_MODE"], brokers["KRAFT_QUORUM_MODE"]) == ("dynamic", "dynamic")
    assert "KRAFT_INITIAL_CONTROLLERS" not in brokers


# --- dynamic quorum: the marker that it has formed --------------------------------------------------------


def test_the_quorum_marker_is_created_once_the_controllers_are_ready_and_protected() -> None:
    evaluation = deploy(DEDICATED)
    marker = registration(evaluation, "ConfigMap", "kafka-quorum")
    assert marker.manifest()["data"] == {"formed": "true"}
    assert marker.protect
    waits_for = {urn.rsplit("::", 1)[1] for urn in marker.depends_on}
    assert "kafka-controllers" in waits_for, "pulumi creates it only once the controllers' StatefulSet is Ready"
    assert "kafka-brokers" not in waits_for


def test_only_dynamic_controllers_mount_the_marker_optionally_and_read_it() -> None:
    evaluation = deploy(DEDICATED)
    controllers, brokers = (one(evaluation, "StatefulSet", f"kafka-{pool}") for pool in ("controllers", "brokers"))
    volumes = {v["name"]: v for v in pod_template(controllers)["spec"]["volumes"]}
    mounts = {m["name"]: m for m in kafka_container(controllers)["volumeMounts"]}
    assert volumes["quorum"]["configMap"] == {"name": "kafka-quorum", "optional": True, "defaultMode": 0o444}
    assert env_of(controllers)["KRAFT_QUORUM_FORMED_FILE"] == f"{mounts['quorum']['mountPath']}/formed"
    assert mounts["quorum"]["readOnly"] is True
    assert "quorum" not in {v["name"] for v in pod_template(brokers)["spec"]["volumes"]}
    assert "KRAFT_QUORUM_FORMED_FILE" not in env_of(brokers)


def test_a_static_quorum_has_no_marker() -> None:
    evaluation = deploy(STATIC)
    assert [c["metadata"]["name"] for c in objects(evaluation, "ConfigMap")] == ["kafka-config"]
    for statefulset in objects(evaluation, "StatefulSet"):
        assert "quorum" not in {v["name"] for v in pod_template(statefulset)["spec"]["volumes"]}


@pytest.mark.parametrize(
    ("version", "auto_join"), [("4.1.2", False), ("4.2.1", True), ("4.3.1", True)], ids=["4.1", "4.2", "4.3"]
)
def test_dynamic_controllers_join_by_themselves_from_kafka_4_2(version: str, auto_join: bool) -> None:
    data = one(deploy({**DEDICATED, "kafkaVersion": version}), "ConfigMap", "kafka-config")["data"]
    assert ("controller.quorum.auto.join.enable=true\n" in data["controllers.properties"]) is auto_join
    assert "auto.join" not in data["brokers.properties"], "Kafka refuses it without the controller role"
    static = one(deploy({**STATIC, "kafkaVersion": version}), "ConfigMap", "kafka-config")["data"]
    assert "auto.join" not in static["controllers.properties"]
