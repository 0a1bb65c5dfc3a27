"""scripts/node-bootstrap.sh under real bash, in a pod whose command, env and files come from the real
manifests, with stand-in Kafka tools (tests/standins) that record what they were asked to do."""

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kraft_component import listeners, manifests, naming
from kraft_component.spec import ClusterSpec, parse_spec
from kraft_component.statefulset import statefulset
from tests.helpers import STACKS, stack_spec
from tests.standins import CLUSTER_ID, OTHER_CLUSTER_ID, OTHER_DIRECTORY_ID_SEED, Call, Pod, Start

TOPIC_DEFAULT_KEYS = (
    "default.replication.factor",
    "min.insync.replicas",
    "offsets.topic.replication.factor",
    "transaction.state.log.replication.factor",
    "transaction.state.log.min.isr",
)
BROKER_TOPIC_DEFAULT_KEYS = tuple(key for key in TOPIC_DEFAULT_KEYS if key != "default.replication.factor")


def pool(name: str, roles: list[str], replicas: int, **extra: Any) -> dict[str, Any]:
    """A pool as a stack file writes it."""
    return {"name": name, "roles": roles, "replicas": replicas, **extra}


def cluster(*pools: dict[str, Any], **extra: Any) -> ClusterSpec:
    """A validated spec with the given pools."""
    return parse_spec({"profile": "development", "pools": list(pools), **extra})


SPLIT = cluster(pool("controllers", ["controller"], 3), pool("brokers", ["broker"], 3))

TOPOLOGIES: dict[str, ClusterSpec] = {stack: stack_spec(stack) for stack in STACKS} | {
    "single-node": cluster(pool("solo", ["broker", "controller"], 1)),
    "combined-and-brokers": cluster(pool("core", ["broker", "controller"], 3), pool("extra", ["broker"], 2)),
    "static-split": cluster(
        pool("controllers", ["controller"], 3), pool("brokers", ["broker"], 2), quorum={"mode": "static"}
    ),
    "jbod": cluster(
        pool("controllers", ["controller"], 3),
        pool(
            "brokers",
            ["broker"],
            2,
            storage={"volumes": [{"name": "data", "size": "1Gi"}, {"name": "fast", "size": "1Gi"}]},
        ),
    ),
    "renamed": cluster(
        pool("voters", ["controller"], 3),
        pool("data", ["broker"], 2, nodeIdOffset=1000),
        name="events",
        namespace="streaming",
        clusterDomain="corp.example",
    ),
}

NODES = [
    pytest.param(topology, node_pool.name, ordinal, id=f"{topology}-{node_pool.name}-{ordinal}")
    for topology, spec in TOPOLOGIES.items()
    for node_pool in spec.pools
    for ordinal in range(node_pool.replicas)
]


@dataclass(frozen=True)
class Format:
    """The options of a `kafka-storage.sh format` call, however they were spelt."""

    config: str
    cluster_id: str
    ignore_formatted: bool
    quorum: tuple[str, ...] = ()
    """The dynamic-quorum flag and its value, if any: ("--initial-controllers", "0@h:9093:id,..."), ..."""
    scram: tuple[str, ...] = ()
    """The --add-scram entries, in order."""


QUORUM_FLAGS = {"-N": "--no-initial-controllers", "--no-initial-controllers": "--no-initial-controllers"}
QUORUM_OPTIONS = {"-I": "--initial-controllers", "--initial-controllers": "--initial-controllers"}


def format_options(call: Call) -> Format:
    """Read a recorded kafka-storage.sh call; anything but `format` with known options fails."""
    assert call.args[:1] == ("format",), call
    names = {"-c": "config", "--config": "config", "-t": "cluster-id", "--cluster-id": "cluster-id"}
    options: dict[str, str] = {}
    ignore_formatted = False
    quorum: tuple[str, ...] = ()
    scram: list[str] = []
    args = list(call.args[1:])
    while args:
        option = args.pop(0)
        if option in ("-g", "--ignore-formatted"):
            ignore_formatted = True
        elif option in ("-S", "--add-scram"):
            scram.append(args.pop(0))
        elif option in names:
            options[names[option]] = args.pop(0)
        elif option in QUORUM_FLAGS or option in QUORUM_OPTIONS:
            assert not quorum, f"two quorum flags in {call}"
            quorum = (QUORUM_FLAGS[option],) if option in QUORUM_FLAGS else (QUORUM_OPTIONS[option], args.pop(0))
        else:
            raise AssertionError(f"unexpected option {option!r} in {call}")
    return Format(options["config"], options["cluster-id"], ignore_formatted, quorum, tuple(scram))


def started(start: Start) -> dict[str, str]:
    """The server.properties the (stand-in) Kafka server started with; fails if it never started."""
    assert start.returncode == 0, start.stderr
    assert start.started is not None, "kafka-server-start.sh was not run"
    return start.started


def refused(start: Start) -> str:
    """stderr of a start that must fail before Kafka runs."""
    assert start.returncode != 0, f"started although it should not:\n{start.stdout}"
    assert start.server_starts == [], "kafka-server-start.sh ran"
    assert start.started is None
    return start.stderr


def meta_bytes(pod: Pod) -> dict[Path, bytes]:
    """The meta.properties of every log directory that has one."""
    return {d: (d / "meta.properties").read_bytes() for d in pod.log_dirs if (d / "meta.properties").exists()}


def parse_listeners(value: str) -> dict[str, tuple[str, int]]:
    """`NAME://host:port,...` as {name: (host, port)}; a listener named twice fails."""
    parsed: dict[str, tuple[str, int]] = {}
    for entry in value.split(","):
        name, separator, address = entry.partition("://")
        assert separator, f"not a listener: {entry!r}"
        host, _, port = address.rpartition(":")
        assert name not in parsed, f"listener {name} is named twice in {value}"
        parsed[name] = (host, int(port))
    return parsed


def pod_fqdn(manifest: dict[str, Any], ordinal: int, cluster_domain: str) -> str:
    """The DNS name Kubernetes gives a pod of this StatefulSet manifest through its governing Service."""
    meta, spec = manifest["metadata"], manifest["spec"]
    return f"{meta['name']}-{ordinal}.{spec['serviceName']}.{meta['namespace']}.svc.{cluster_domain}"


def expected_voters(spec: ClusterSpec, namespace: str) -> set[str]:
    """`<node id>@<pod dns name>:<controller port>` of every controller pod, from the StatefulSet manifests."""
    voters: set[str] = set()
    for index, controller_pool in enumerate(spec.pools):
        if not controller_pool.is_controller:
            continue
        manifest = statefulset(spec, controller_pool, index, namespace)
        ports = {
            port["name"]: port["containerPort"]
            for port in manifest["spec"]["template"]["spec"]["containers"][0]["ports"]
        }
        port = ports[listeners.CONTROLLER.port_name]
        for ordinal in range(manifest["spec"]["replicas"]):
            voters.add(
                f"{controller_pool.first_node_id + ordinal}@{pod_fqdn(manifest, ordinal, spec.cluster_domain)}:{port}"
            )
    return voters


# --- first start, restart, foreign volumes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("topology", "pool_name", "ordinal", "node_id"),
    [
        pytest.param("dev", "nodes", 1, 1, id="dev-combined-1"),
        pytest.param("staging", "controllers", 0, 0, id="staging-controller-0"),
        pytest.param("prod", "brokers", 5, 105, id="prod-broker-5"),
    ],
)
def test_first_start_formats_then_starts_kafka(
    tmp_path: Path, topology: str, pool_name: str, ordinal: int, node_id: int
) -> None:
    pod = Pod(tmp_path, TOPOLOGIES[topology], pool_name, ordinal)
    server_properties = pod.environment["KRAFT_SERVER_PROPERTIES"]

    start = pod.start()

    assert [call.tool for call in start.calls] == ["kafka-storage.sh", "kafka-server-start.sh"]
    options = format_options(start.formats[0])
    assert (options.config, options.cluster_id, options.ignore_formatted) == (server_properties, CLUSTER_ID, True)
    assert start.server_starts[0].args == (server_properties,)
    assert started(start)["node.id"] == str(node_id)
    meta = pod.meta_properties()
    assert (meta["node.id"], meta["cluster.id"], meta["version"]) == (str(node_id), CLUSTER_ID, "1")


def test_restart_keeps_the_formatted_volume(tmp_path: Path) -> None:
    pod = Pod(tmp_path, TOPOLOGIES["staging"], "brokers", 2)
    first = started(pod.start())
    formatted = meta_bytes(pod)

    again = pod.start()

    assert started(again) == first
    assert all(format_options(call).ignore_formatted for call in again.formats)
    assert meta_bytes(pod) == formatted
    assert len(again.server_starts) == 1


def test_volume_of_another_cluster_is_refused(tmp_path: Path) -> None:
    pod = Pod(tmp_path, TOPOLOGIES["dev"], "nodes", 0, cluster_id=OTHER_CLUSTER_ID)
    started(pod.start())
    formatted = meta_bytes(pod)
    pod.write_volume_files(CLUSTER_ID)  # reinstalled with a fresh cluster ID, the volume retained

    message = refused(pod.start())

    assert "kraft:clusterId" in message
    assert OTHER_CLUSTER_ID in message
    assert meta_bytes(pod) == formatted


def test_volume_of_another_node_is_refused(tmp_path: Path) -> None:
    def staging(broker_offset: int) -> ClusterSpec:
        return cluster(
            pool("controllers", ["controller"], 3), pool("brokers", ["broker"], 3, nodeIdOffset=broker_offset)
        )

    started(Pod(tmp_path, staging(100), "brokers", 1).start())
    pod = Pod(tmp_path, staging(200), "brokers", 1)  # the offset moved; the volume stayed
    formatted = meta_bytes(pod)

    message = refused(pod.start())

    assert pod.environment["KRAFT_NODE_ID_KEY"] == "kraft:cluster.pools[1].nodeIdOffset"
    assert "kraft:cluster.pools[1].nodeIdOffset" in message
    assert "101" in message
    assert meta_bytes(pod) == formatted


def test_one_foreign_log_dir_among_several_is_refused(tmp_path: Path) -> None:
    disks = [tmp_path / "disk-a" / "logs", tmp_path / "disk-b" / "logs"]
    started(
        Pod(tmp_path / "old", TOPOLOGIES["dev"], "nodes", 0, cluster_id=OTHER_CLUSTER_ID, log_dirs=disks[1:]).start()
    )
    pod = Pod(tmp_path, TOPOLOGIES["dev"], "nodes", 0, log_dirs=disks)

    message = refused(pod.start())

    assert "kraft:clusterId" in message
    assert OTHER_CLUSTER_ID in message
    assert not (disks[0] / "meta.properties").exists()


# --- every node of every topology agrees with the manifests -------------------------------------------------


@pytest.mark.parametrize(("topology", "pool_name", "ordinal"), NODES)
def test_node_config_agrees_with_the_manifests(tmp_path: Path, topology: str, pool_name: str, ordinal: int) -> None:
    spec = TOPOLOGIES[topology]
    pod = Pod(tmp_path, spec, pool_name, ordinal)
    config = started(pod.start())
    node_pool, manifest = pod.pool, pod.statefulset
    node_id = node_pool.first_node_id + ordinal
    host = pod_fqdn(manifest, ordinal, spec.cluster_domain)

    assert config["node.id"] == pod.meta_properties()["node.id"] == str(node_id)
    assert set(config["process.roles"].split(",")) == {role.value for role in node_pool.roles}

    headless = manifests.headless_service(spec, pod.namespace)
    assert manifest["spec"]["serviceName"] == headless["metadata"]["name"]
    assert headless["spec"]["clusterIP"] == "None"
    assert headless["spec"]["selector"].items() <= manifest["spec"]["template"]["metadata"]["labels"].items()

    opened = parse_listeners(config["listeners"])
    advertised = parse_listeners(config["advertised.listeners"])
    controller_names = set(config["controller.listener.names"].split(","))
    protocols = dict(entry.split(":") for entry in config["listener.security.protocol.map"].split(","))
    container_ports = {port["containerPort"] for port in pod.container["ports"]}
    external = advertised.pop("EXTERNAL", None)  # a broker's own external address (tests/test_security.py)
    assert {address_host for address_host, _ in advertised.values()} == {host}
    assert "0.0.0.0" not in {address_host for address_host, _ in advertised.values()}
    assert set(opened) | set(advertised) | controller_names <= set(protocols)
    assert set(advertised) <= set(opened)
    assert all(advertised[name][1] == opened[name][1] for name in advertised)
    assert external is None or external[0] == f"kafka-{node_id}.staging.example.com"
    assert {port for _, port in opened.values()} <= container_ports

    dynamic = spec.is_dynamic_quorum
    quorum_key = "controller.quorum.bootstrap.servers" if dynamic else "controller.quorum.voters"
    assert {"controller.quorum.bootstrap.servers", "controller.quorum.voters"} & set(config) == {quorum_key}
    listed = config[quorum_key].split(",")
    voters = expected_voters(spec, pod.namespace)
    assert len(listed) == len(set(listed))
    assert set(listed) == ({voter.partition("@")[2] for voter in voters} if dynamic else voters)
    if node_pool.is_controller:
        (controller_name,) = controller_names & set(opened)
        own = f"{host}:{opened[controller_name][1]}"
        assert (own if dynamic else f"{node_id}@{own}") in listed
    else:
        assert node_id not in {int(voter.split("@")[0]) for voter in voters}
        assert not controller_names & set(opened), "a broker-only node must not open the controller listener"
    if not node_pool.is_broker:
        assert set(opened) <= controller_names, "a controller-only node may open only controller listeners"
    else:
        broker_advertised = set(advertised) - controller_names
        assert config["inter.broker.listener.name"] in broker_advertised


# --- the defects of DESIGN §3 -------------------------------------------------------------------------------


def test_defect_2_restarts_never_crash_loop(tmp_path: Path) -> None:
    pod = Pod(tmp_path, TOPOLOGIES["dev"], "nodes", 2)
    starts = [pod.start() for _ in range(3)]

    assert [start.returncode for start in starts] == [0, 0, 0], starts[-1].stderr
    assert [len(start.server_starts) for start in starts] == [1, 1, 1]
    assert all(format_options(call).ignore_formatted for start in starts for call in start.formats)


def test_every_volume_of_a_jbod_broker_is_a_log_directory_formatted_at_first_start(tmp_path: Path) -> None:
    pod = Pod(tmp_path, TOPOLOGIES["jbod"], "brokers", 1)
    data, fast = pod.volume_dir("data") / "logs", pod.volume_dir("fast") / "logs"

    properties = started(pod.start())

    assert properties["log.dirs"] == f"{data},{fast}"
    assert properties["metadata.log.dir"] == str(data)
    assert pod.meta_properties(data)["directory.id"] != pod.meta_properties(fast)["directory.id"]
    assert {pod.meta_properties(d)["node.id"] for d in (data, fast)} == {"101"}


def test_a_replaced_empty_volume_of_a_jbod_broker_is_formatted_alone(tmp_path: Path) -> None:
    pod = Pod(tmp_path, TOPOLOGIES["jbod"], "brokers", 0)
    started(pod.start())
    data = (pod.volume_dir("data") / "logs" / "meta.properties").read_bytes()
    shutil.rmtree(pod.volume_dir("fast"))  # its claim was lost and recreated empty

    start = pod.start()

    started(start)
    assert [format_options(call).ignore_formatted for call in start.formats] == [True]
    assert (pod.volume_dir("data") / "logs" / "meta.properties").read_bytes() == data
    assert pod.meta_properties(pod.volume_dir("fast") / "logs")["cluster.id"] == CLUSTER_ID


def test_a_volume_added_to_a_running_broker_is_formatted_beside_its_data(tmp_path: Path) -> None:
    single = cluster(pool("controllers", ["controller"], 3), pool("brokers", ["broker"], 2))
    started(Pod(tmp_path, single, "brokers", 1).start())
    data = (tmp_path / "volumes" / "data" / "logs" / "meta.properties").read_bytes()
    grown = Pod(tmp_path, TOPOLOGIES["jbod"], "brokers", 1)  # the StatefulSet recreated with a second volume

    start = grown.start()

    assert started(start)["log.dirs"].split(",") == [str(d) for d in grown.log_dirs]
    assert [format_options(call).quorum for call in start.formats] == [()]
    assert (grown.volume_dir("data") / "logs" / "meta.properties").read_bytes() == data
    assert grown.meta_properties(grown.volume_dir("fast") / "logs")["node.id"] == "101"


def test_defect_2_a_new_disk_is_formatted_without_touching_the_others(tmp_path: Path) -> None:
    disks = [tmp_path / "disk-a" / "logs", tmp_path / "disk-b" / "logs"]
    started(Pod(tmp_path, TOPOLOGIES["dev"], "nodes", 1, log_dirs=disks[:1]).start())
    first_disk = (disks[0] / "meta.properties").read_bytes()
    pod = Pod(tmp_path, TOPOLOGIES["dev"], "nodes", 1, log_dirs=disks)  # a second disk is added

    start = pod.start()

    started(start)
    assert [format_options(call).ignore_formatted for call in start.formats] == [True]
    assert (disks[0] / "meta.properties").read_bytes() == first_disk
    new_disk = pod.meta_properties(disks[1])
    assert (new_disk["cluster.id"], new_disk["node.id"]) == (CLUSTER_ID, "1")


@pytest.mark.parametrize("existing", [False, True], ids=["missing", "empty"])
def test_defect_3_the_data_dir_is_created_when_missing(tmp_path: Path, existing: bool) -> None:
    data = tmp_path / "claim" / "kafka" / "data" / "logs"
    if existing:
        data.mkdir(parents=True)
    pod = Pod(tmp_path, TOPOLOGIES["staging"], "controllers", 0, log_dirs=[data])

    first, again = pod.start(), pod.start()

    started(first)
    started(again)
    assert pod.meta_properties(data)["node.id"] == "0"


def test_defect_4_the_cluster_id_comes_from_the_mounted_secret(tmp_path: Path) -> None:
    pod = Pod(tmp_path, TOPOLOGIES["prod"], "brokers", 0, cluster_id=OTHER_CLUSTER_ID)

    start = pod.start()

    started(start)
    assert [format_options(call).cluster_id for call in start.formats] == [OTHER_CLUSTER_ID]
    assert pod.meta_properties()["cluster.id"] == OTHER_CLUSTER_ID
    env = pod.container["env"]
    assert all(variable.get("value") != OTHER_CLUSTER_ID for variable in env)
    assert "CLUSTER_ID" not in {variable["name"] for variable in env}, "the image's launcher would use it"


def test_defect_4_a_secret_file_with_a_trailing_newline_is_accepted(tmp_path: Path) -> None:
    pod = Pod(tmp_path, TOPOLOGIES["dev"], "nodes", 0)
    pod.write_cluster_id_file(f"{CLUSTER_ID}\n")  # as `kubectl create secret --from-file` may store it

    start = pod.start()

    started(start)
    assert [format_options(call).cluster_id for call in start.formats] == [CLUSTER_ID]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("", id="empty"),
        pytest.param(CLUSTER_ID[:-1], id="21-chars"),
        pytest.param(CLUSTER_ID + "A", id="23-chars"),
        pytest.param(CLUSTER_ID + "==", id="padded"),
        pytest.param("MkU3OEVBNTcwNTJENDM2Q+", id="plus"),
        pytest.param("MkU3OEVBNTcwNTJENDM2Q/", id="slash"),
        pytest.param("MkU3OEVBNTcwNTJ ENDM2Q", id="space"),
        pytest.param(f"{CLUSTER_ID}\n{CLUSTER_ID}", id="two-lines"),
    ],
)
def test_defect_4_an_invalid_cluster_id_is_refused(tmp_path: Path, content: str) -> None:
    pod = Pod(tmp_path, TOPOLOGIES["dev"], "nodes", 0)
    pod.write_cluster_id_file(content)

    start = pod.start()

    message = refused(start)
    assert "kraft:clusterId" in message
    assert start.formats == []
    assert meta_bytes(pod) == {}


def test_defect_4_a_missing_secret_file_is_refused(tmp_path: Path) -> None:
    pod = Pod(tmp_path, TOPOLOGIES["dev"], "nodes", 0)
    Path(pod.environment["KRAFT_CLUSTER_ID_FILE"]).unlink()

    message = refused(pod.start())

    assert pod.environment["KRAFT_CLUSTER_ID_FILE"] in message
    assert "kraft:clusterId" in message


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(cluster(pool("solo", ["broker", "controller"], 1)), (1, 1), id="1-broker"),
        pytest.param(cluster(pool("nodes", ["broker", "controller"], 2)), (2, 1), id="2-brokers"),
        pytest.param(cluster(pool("c", ["controller"], 1), pool("b", ["broker"], 2)), (2, 1), id="2-brokers-split"),
        pytest.param(TOPOLOGIES["dev"], (3, 2), id="dev-3-brokers"),
        pytest.param(SPLIT, (3, 2), id="3-brokers-split"),
        pytest.param(cluster(pool("c", ["controller"], 3), pool("b", ["broker"], 6)), (3, 2), id="6-brokers"),
    ],
)
def test_defect_5_replication_defaults_reach_kafka_sized_to_the_brokers(
    tmp_path: Path, spec: ClusterSpec, expected: tuple[int, int]
) -> None:
    factor, min_isr = expected
    wanted = dict(zip(TOPIC_DEFAULT_KEYS, (factor, min_isr, factor, factor, min_isr), strict=True))
    for node_pool in spec.pools:  # controllers need them too: from 4.1 min.insync.replicas comes from them
        config = started(Pod(tmp_path / node_pool.name, spec, node_pool.name, 0).start())
        keys = TOPIC_DEFAULT_KEYS if node_pool.is_controller else BROKER_TOPIC_DEFAULT_KEYS  # Kafka 4.4: KIP-1211
        assert {key: int(config[key]) for key in keys} == {key: wanted[key] for key in keys}, node_pool.name


# --- the pod name decides the node ID, so only a StatefulSet pod name is accepted ---------------------------


@pytest.mark.parametrize(
    "pod_name",
    [
        "kafka-nodes",
        "kafka-nodes-",
        "kafka-nodes-x",
        "kafka-nodes-01",
        "kafka-nodes--1",
        "kafka-nodes-1-0",
        "kafka-other-0",
        "xkafka-nodes-0",
        "7",
        "kafka-nodes-1 ",
    ],
)
def test_a_pod_name_that_is_not_statefulset_dash_ordinal_is_refused(tmp_path: Path, pod_name: str) -> None:
    pod = Pod(tmp_path, TOPOLOGIES["dev"], "nodes", 0, pod_name=pod_name)

    start = pod.start()

    message = refused(start)
    assert start.formats == []
    assert "kafka-nodes-<ordinal>" in message


@pytest.mark.parametrize("offset", ["", "abc", "-1", "1+1", "a[$(touch pwned)]"])
def test_a_node_id_offset_that_is_not_a_number_is_refused(tmp_path: Path, offset: str) -> None:
    pod = Pod(tmp_path, TOPOLOGIES["dev"], "nodes", 0)

    start = pod.start(env={"KRAFT_NODE_ID_OFFSET": offset})

    assert start.returncode != 0
    assert start.calls == ()
    assert not (tmp_path / "pwned").exists(), "the offset was evaluated as shell code"


# --- a separate metadata.log.dir holds a meta.properties of its own -----------------------------------------


def test_an_unformatted_metadata_log_dir_is_formatted(tmp_path: Path) -> None:
    metadata = tmp_path / "metadata" / "logs"
    pod = Pod(tmp_path, TOPOLOGIES["staging"], "controllers", 1, extra_properties={"metadata.log.dir": str(metadata)})
    started(pod.start())
    (metadata / "meta.properties").unlink()  # its volume was replaced
    log_dir_meta = meta_bytes(pod)

    start = pod.start()

    started(start)
    assert len(start.formats) == 1
    assert pod.meta_properties(metadata)["node.id"] == "1"
    assert meta_bytes(pod) == log_dir_meta


def test_a_foreign_metadata_log_dir_is_refused(tmp_path: Path) -> None:
    metadata = tmp_path / "metadata" / "logs"
    extra = {"metadata.log.dir": str(metadata)}
    started(Pod(tmp_path / "old", SPLIT, "controllers", 1, cluster_id=OTHER_CLUSTER_ID, extra_properties=extra).start())
    pod = Pod(tmp_path, SPLIT, "controllers", 1, extra_properties=extra)

    message = refused(pod.start())

    assert "kraft:clusterId" in message
    assert OTHER_CLUSTER_ID in message
    assert meta_bytes(pod) == {}


# --- dynamic quorum (KIP-853): which controllers format with --initial-controllers ------------------------

GROWN = cluster(
    pool("controllers", ["controller"], 5), pool("brokers", ["broker"], 3), quorum={"initialControllers": 3}
)


@pytest.mark.parametrize("ordinal", [0, 2])
def test_an_initial_controller_formats_with_every_initial_controller_and_its_own_directory_id(
    tmp_path: Path, ordinal: int
) -> None:
    pod = Pod(tmp_path, GROWN, "controllers", ordinal)
    ids = pod.directory_ids()

    start = pod.start()

    started(start)
    (call,) = start.formats
    flag, value = format_options(call).quorum
    hosts = {int(voter.split("@")[0]): voter.split("@")[1] for voter in expected_voters(GROWN, pod.namespace)}
    assert flag == "--initial-controllers"
    assert value.split(",") == [f"{node}@{hosts[node]}:{ids[node]}" for node in (0, 1, 2)]
    assert pod.meta_properties()["directory.id"] == ids[ordinal]


@pytest.mark.parametrize("ordinal", [3, 4])
def test_a_controller_added_after_creation_joins_with_no_initial_controllers_and_its_secret_id(
    tmp_path: Path, ordinal: int
) -> None:
    pod = Pod(tmp_path, GROWN, "controllers", ordinal)

    start = pod.start()

    started(start)
    assert [format_options(call).quorum for call in start.formats] == [("--no-initial-controllers",)]
    assert pod.meta_properties()["directory.id"] == pod.directory_ids()[ordinal]
    assert list(pod.meta_properties()) == ["node.id", "version", "cluster.id", "directory.id"]


def test_brokers_of_a_dynamic_quorum_pass_no_quorum_flag(tmp_path: Path) -> None:
    start = Pod(tmp_path, GROWN, "brokers", 0).start()

    started(start)
    assert [format_options(call).quorum for call in start.formats] == [()]


def test_a_static_quorum_passes_no_quorum_flag(tmp_path: Path) -> None:
    start = Pod(tmp_path, TOPOLOGIES["static-split"], "controllers", 0).start()

    assert "controller.quorum.voters" in started(start)
    assert [format_options(call).quorum for call in start.formats] == [()]


@pytest.mark.parametrize("ordinal", [0, 3], ids=["initial", "joined"])
def test_a_dynamic_controller_restarts_without_formatting_again(tmp_path: Path, ordinal: int) -> None:
    pod = Pod(tmp_path, GROWN, "controllers", ordinal)
    started(pod.start())
    formatted = meta_bytes(pod)

    again = pod.start()

    started(again)
    assert again.formats == []
    assert meta_bytes(pod) == formatted


def test_a_volume_with_a_foreign_directory_id_is_refused(tmp_path: Path) -> None:
    started(Pod(tmp_path, GROWN, "controllers", 1, directory_id_seed=OTHER_DIRECTORY_ID_SEED).start())
    pod = Pod(tmp_path, GROWN, "controllers", 1)  # the Secret's directory IDs were regenerated
    formatted = meta_bytes(pod)
    found = pod.meta_properties()["directory.id"]

    message = refused(pod.start())

    assert f"metadata directory '{found}'" in message
    assert f"'{pod.directory_ids()[1]}' (cluster-ID Secret key directory-id-1)" in message
    assert "Removing a controller" in message
    assert meta_bytes(pod) == formatted


def test_a_new_data_directory_of_a_dynamic_controller_never_reformats_the_quorum(tmp_path: Path) -> None:
    disks = [tmp_path / "disk-a" / "logs", tmp_path / "disk-b" / "logs"]
    dev = TOPOLOGIES["dev"]
    started(Pod(tmp_path, dev, "nodes", 0, log_dirs=disks[:1]).start())
    metadata = (disks[0] / "meta.properties").read_bytes()

    start = Pod(tmp_path, dev, "nodes", 0, log_dirs=disks).start()

    started(start)
    assert [format_options(call).quorum for call in start.formats] == [("--no-initial-controllers",)]
    assert (disks[0] / "meta.properties").read_bytes() == metadata


def test_a_missing_directory_id_in_the_secret_is_refused(tmp_path: Path) -> None:
    pod = Pod(tmp_path, GROWN, "controllers", 0)
    (Path(pod.environment["KRAFT_DIRECTORY_ID_DIR"]) / "directory-id-2").unlink()

    start = pod.start()

    assert "holds no directory ID for node 2 (key directory-id-2)" in refused(start)
    assert start.formats == []


# --- the stand-in kafka-storage.sh keeps Kafka's rules for the quorum flags --------------------------------

VOTER = "0@kafka-controllers-0.kafka-headless.kafka.svc.cluster.local:9093:luAMgulWUQ186WYcrpTaUw"


@pytest.mark.parametrize(
    ("topology", "pool_name", "flags", "expected"),
    [
        ("static-split", "controllers", ["--initial-controllers", VOTER], "You cannot specify controller.quorum.voters"),
        ("static-split", "controllers", ["--no-initial-controllers"], "You cannot specify controller.quorum.voters"),
        ("staging", "controllers", [], "Because controller.quorum.voters is not set on this controller"),
        (
            "staging", "controllers", ["--no-initial-controllers", "--initial-controllers", VOTER],
            "argument --initial-controllers/-I: not allowed with argument --no-initial-controllers/-N",
        ),
        ("staging", "controllers", ["-I", "0@host:9093"], "Failed to parse --initial-controllers entry"),
    ],
    ids=["voters and -I", "voters and -N", "no flag", "-N and -I", "entry without a directory id"],
)  # fmt: skip
def test_the_stand_in_refuses_what_kafka_refuses(
    tmp_path: Path, topology: str, pool_name: str, flags: list[str], expected: str
) -> None:
    pod = Pod(tmp_path, TOPOLOGIES[topology], pool_name, 0)
    started(pod.start())  # writes server.properties
    (pod.log_dirs[0] / "meta.properties").unlink()
    storage = str(pod.kafka_home / "bin" / "kafka-storage.sh")

    done = pod.run([storage, "format", "-c", naming.SERVER_PROPERTIES, "-t", CLUSTER_ID, *flags])

    assert done.returncode != 0 and expected in done.stderr, done.stderr
