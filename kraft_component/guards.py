"""Changes that would lose data or break the quorum, refused before anything is touched.

A deployment leaves a record of the choices that must never change silently; the next deployment's
record is compared with it. Every refusal names the key and the safe procedure.
"""

import hashlib
from typing import TYPE_CHECKING, Any

from . import naming
from .quantity import parse_quantity
from .quorum_mode import QuorumMode

if TYPE_CHECKING:  # the record's provider compares records and never imports the spec's models
    from .spec import ClusterSpec, PoolSpec

Record = dict[str, Any]
MODE_KEY = "kraft:cluster.quorum.mode"
INITIAL_KEY = "kraft:cluster.quorum.initialControllers"
# Records written before quorum modes existed describe static quorums.
_STATIC_RECORD = {"mode": QuorumMode.STATIC.value}


def cluster_id_digest(cluster_id: str) -> str:
    """What the record keeps of the cluster ID: enough to notice a change, nothing to leak."""
    return hashlib.sha256(cluster_id.encode()).hexdigest()


def record(spec: "ClusterSpec", cluster_id: str) -> Record:
    """The choices of this deployment that the next one must respect (no None values: the wire drops them)."""
    return {"clusterIdSha256": cluster_id_digest(cluster_id), **choices(spec)}


def choices(spec: "ClusterSpec") -> Record:
    """The record without the cluster ID: all of it known from the spec alone, so that a preview checks it
    even while a generated cluster ID is still unknown."""
    return {
        **({"metadataVersion": spec.metadata_version} if spec.metadata_version else {}),
        "pools": {
            pool.name: {
                "index": index,
                "roles": sorted(role.value for role in pool.roles),
                "replicas": pool.replicas,
                "nodeIdOffset": pool.first_node_id,
                "statefulSet": naming.statefulset_name(spec.name, pool.name),
                "volumes": _volume_records(pool),
                **(
                    {"scaleDownTo": pool.acknowledge_scale_down_to}
                    if pool.acknowledge_scale_down_to is not None
                    else {}
                ),
                **(
                    {"acknowledgedVolumes": list(pool.storage.acknowledge_volumes)}
                    if pool.storage.acknowledge_volumes is not None
                    else {}
                ),
            }
            for index, pool in enumerate(spec.pools)
        },
        "quorum": {"mode": spec.quorum.mode.value}
        | ({"initialControllers": spec.initial_controller_count} if spec.is_dynamic_quorum else {}),
        "listeners": {"internal": spec.listeners.internal.value, "controller": spec.listeners.controller.value},
        "topics": {
            topic.name: {
                "index": index,
                "partitions": spec.topic_partitions(topic),
                "replicationFactor": spec.topic_replication_factor(topic),
            }
            for index, topic in enumerate(spec.topics)
        },
        "managed": managed(spec),
    }


def managed(spec: "ClusterSpec") -> Record:
    """What this deployment declares and kraft therefore owns: its users, and its topics with their config keys."""
    return {
        "users": sorted(user.name for user in spec.users),
        "topics": {topic.name: sorted(topic.config) for topic in spec.topics},
    }


def ever_managed(previous: Record | None, current: Record) -> Record:
    """Everything kraft has owned: a user, topic or topic config key once declared stays kraft's, so removing it
    from the config later removes it from the cluster (revokes the user, deletes the key) and never touches what
    someone created by hand."""
    before = previous or {"users": [], "topics": {}}
    topics = {name: set(keys) for name, keys in before["topics"].items()}
    for name, keys in current["topics"].items():
        topics.setdefault(name, set()).update(keys)
    return {
        "users": sorted(set(before["users"]) | set(current["users"])),
        "topics": {name: sorted(keys) for name, keys in sorted(topics.items())},
    }


def _volume_records(pool: "PoolSpec") -> list[Record]:
    """Each data volume in order (the first holds the metadata log), with the key that configures it."""
    return [
        {
            "name": volume.name,
            "key": pool.storage.key_of(index),
            "size": volume.size,
            "claimTemplate": volume.claim_template_size,
            "storageClass": volume.storage_class or "",
        }
        for index, volume in enumerate(pool.storage.data_volumes)
    ]


def _volumes_of(pool: Record) -> list[Record]:
    """A pool record's volumes; records from before several volumes knew one, `data`, and no storage class."""
    if "volumes" in pool:
        volumes: list[Record] = pool["volumes"]
        return volumes
    template = pool.get("claimTemplate", pool["storage"])  # records older than templateSize
    return [{"name": naming.DATA_VOLUME, "key": "storage", "size": pool["storage"], "claimTemplate": template}]


def refusals(previous: Record, current: Record) -> list[str]:
    """Why `current` must not replace `previous`: one message per dangerous change, empty when safe."""
    if not previous:
        return _initial_quorum(current)
    before, after = previous.get("quorum", _STATIC_RECORD), current["quorum"]
    problems = _cluster_id_change(previous, current) + _mode_change(before["mode"], after["mode"])
    problems += _metadata_downgrade(previous, current)
    problems += _node_listener_changes(previous.get("listeners"), current["listeners"])
    if before["mode"] == after["mode"] == QuorumMode.STATIC:
        problems += _quorum_change(previous, current)
    if before["mode"] == after["mode"] == QuorumMode.DYNAMIC:
        problems += _initial_controllers_change(before["initialControllers"], after["initialControllers"])
    dynamic = after["mode"] == QuorumMode.DYNAMIC
    for name, pool_before in previous["pools"].items():
        problems += _pool_change(name, pool_before, current["pools"].get(name), dynamic)
    for name, topic_before in previous.get("topics", {}).items():  # records before topics existed have none
        problems += _topic_change(name, topic_before, current["topics"].get(name))
    return problems


def _topic_change(name: str, before: Record, after: Record | None) -> list[str]:
    """Kafka cannot take partitions away from a topic, and a new replication factor needs a reassignment."""
    if after is None:
        return []
    key = f"kraft:cluster.topics[{after['index']}]"
    problems = []
    if after["partitions"] < before["partitions"]:
        problems.append(
            f"{key}.partitions: topic {name!r} would shrink from {before['partitions']} to {after['partitions']} "
            "partitions, which Kafka cannot do. Keep "
            f"{before['partitions']} (or more), or create a new topic with fewer partitions, move its producers and "
            "consumers over, and remove this one (docs/topics-and-users.md, 'Fewer partitions')."
        )
    if after["replicationFactor"] != before["replicationFactor"]:
        problems.append(
            f"{key}.replicationFactor: topic {name!r} would change from {before['replicationFactor']} to "
            f"{after['replicationFactor']} replicas, which needs a partition reassignment. Set it back to "
            f"{before['replicationFactor']}, reassign with kafka-reassign-partitions.sh, then set the new factor "
            "(docs/topics-and-users.md, 'Changing the replication factor')."
        )
    return problems


def _node_listener_changes(before: Record | None, after: Record) -> list[str]:
    """Nodes roll one at a time, so a changed protocol on the listeners they talk to each other on would
    leave the old and the new half unable to connect: the quorum or replication stops mid-roll."""
    if before is None:  # recorded before listener protocols existed: every listener was PLAINTEXT
        before = dict.fromkeys(after, "PLAINTEXT")
    return [
        f"kraft:cluster.listeners.{listener}: {before[listener]} -> {after[listener]} on a running cluster would "
        "split it during the roll. Keep it, or migrate in steps (docs/security.md, 'Changing node listener protocols')."
        for listener in after
        if before.get(listener) != after[listener]
    ]


def _initial_quorum(current: Record) -> list[str]:
    """A new dynamic quorum is formed by every controller it starts with."""
    initial, voters = current["quorum"].get("initialControllers"), _voters(current["pools"])
    if initial is None or initial == voters:
        return []
    return [
        f"{INITIAL_KEY}: {initial} initial controllers, but the new cluster starts {voters}; every controller of "
        f"a new cluster forms its quorum. Remove the key, or set it to {voters}."
    ]


def _mode_change(before: str, after: str) -> list[str]:
    if before == after:
        return []
    if before == QuorumMode.STATIC:
        return [
            f"{MODE_KEY}: the quorum would change from static to dynamic, but the mode is fixed when the volumes "
            f"are formatted. Set {MODE_KEY}: static. (From Kafka 4.1 the running quorum can be upgraded with "
            "`kafka-features.sh --bootstrap-server <bootstrap> upgrade --feature kraft.version=1`, after which "
            "kafka-metadata-quorum.sh adds and removes controllers by hand; see docs/operations.md, 'Quorum mode'.)"
        ]
    return [
        f"{MODE_KEY}: the quorum would change from dynamic to static; Kafka cannot return a dynamic quorum "
        f"(kraft.version=1) to static voters. Set {MODE_KEY}: dynamic."
    ]


def _initial_controllers_change(before: int, after: int) -> list[str]:
    if before == after:
        return []
    return [
        f"{INITIAL_KEY}: would change from {before} to {after}, but the controllers that formed the quorum are "
        f"fixed at creation; later ones join with add-controller. Set {INITIAL_KEY}: {before}."
    ]


def _cluster_id_change(previous: Record, current: Record) -> list[str]:
    """A cluster ID that a preview does not know yet (a new generated one) is compared when `up` checks again."""
    if "clusterIdSha256" not in current or previous["clusterIdSha256"] == current["clusterIdSha256"]:
        return []
    return [
        "kraft:clusterId: the cluster ID would change, but every volume is formatted with the old one and "
        "its node would refuse to start. Set kraft:clusterId back to the deployed ID "
        "(`pulumi stack output cluster_id --show-secrets`), or remove it to keep the generated one."
    ]


def _metadata_downgrade(previous: Record, current: Record) -> list[str]:
    before, after = previous.get("metadataVersion"), current.get("metadataVersion")
    if before is None or _release(after) >= _release(before):
        return []
    return [
        f"kraft:cluster.metadataVersion: {after or 'unset'} is below the finalised {before}; metadata.version "
        f'cannot be downgraded once finalised. Keep metadataVersion: "{before}" (or newer).'
    ]


def _release(metadata_version: str | None) -> tuple[int, ...]:
    """(major, minor, iv) of a metadata version such as 4.3 or 4.3-IV1; () when unset."""
    if metadata_version is None:
        return ()
    release, _, iv = metadata_version.partition("-IV")
    return (*map(int, release.split(".")), int(iv or 0))


def _voters(pools: dict[str, Any]) -> int:
    return sum(pool["replicas"] for pool in pools.values() if "controller" in pool["roles"])


def _quorum_change(previous: Record, current: Record) -> list[str]:
    before, after = _voters(previous["pools"]), _voters(current["pools"])
    if before == after:
        return []
    return [
        f"kraft:cluster.pools: the static quorum would change from {before} to {after} controllers. "
        "controller.quorum.voters is fixed when the cluster is formatted; changing it splits the quorum. "
        f"Keep {before} controllers; see docs/operations.md, 'Quorum mode'."
    ]


def _shrink_steps(roles: list[str], dynamic: bool) -> tuple[str | None, str | None]:
    """What must happen before and after nodes of a pool with `roles` go away; (None, None) when nothing is
    at stake. Controllers leave the quorum only once stopped: a running controller that is removed campaigns
    against the quorum on Kafka 3.9 (no pre-vote before 4.0) and adds itself back with auto-join (4.2+)."""
    before = after = None
    if "broker" in roles:
        before = "move partitions off the removed brokers with kafka-reassign-partitions.sh (docs/operations.md, 'Shrinking a broker pool')"
    if "controller" in roles and dynamic:
        after = "remove each stopped controller from the quorum with kafka-metadata-quorum.sh remove-controller (docs/operations.md, 'Removing a controller')"
    return before, after


def _pool_change(name: str, before: dict[str, Any], after: dict[str, Any] | None, dynamic: bool) -> list[str]:
    key = f"kraft:cluster.pools[{after['index'] if after else before['index']}]"
    replicas = after["replicas"] if after else 0
    problems = []
    if after and after["nodeIdOffset"] != before["nodeIdOffset"]:
        problems.append(
            f"{key}.nodeIdOffset: pool {name!r} would move from node IDs starting at {before['nodeIdOffset']} "
            f"to {after['nodeIdOffset']}, but its volumes belong to the old IDs. Set it back to {before['nodeIdOffset']}."
        )
    if after and after["roles"] != before["roles"]:
        problems.append(
            f"{key}.roles: pool {name!r} would change roles from {before['roles']} to {after['roles']}; "
            "its volumes hold the old role's data. Add a new pool with the new roles instead."
        )
    first, then = _shrink_steps(before["roles"], dynamic)
    acknowledged = after is not None and after.get("scaleDownTo") == replicas
    if replicas < before["replicas"] and (first or then) and not acknowledged:
        nodes = "/".join(f"{role}s" for role in before["roles"])
        acknowledge = f"{key}.acknowledgeScaleDownTo: {replicas}"
        problems.append(
            f"{key}.replicas: pool {name!r} would shrink from {before['replicas']} to {replicas} {nodes}. "
            + (f"First {first}, then set {acknowledge}" if first else f"Set {acknowledge}")
            + (f"; once the pods have stopped, {then}." if then else ".")
        )
    if after:
        problems += _volume_changes(key, name, _volumes_of(before), after)
    return problems


def _volume_changes(key: str, name: str, before: list[Record], after: Record) -> list[str]:
    """Claim templates are fixed when a StatefulSet is created, volumes never shrink, and the first volume keeps
    the metadata log; a volume is added or removed only as docs/tailoring.md says, and acknowledged."""
    volumes = {volume["name"]: volume for volume in after["volumes"]}
    problems = []
    first, first_after = before[0]["name"], after["volumes"][0]["name"]
    if first != first_after:
        problems.append(
            f"{key}.storage.volumes: pool {name!r} would move its metadata log from volume {first!r} to "
            f"{first_after!r}; a node finds it only where it was. Keep {first!r} the first volume."
        )
    problems += _added_or_removed(key, name, [volume["name"] for volume in before], after)
    for old in before:
        new = volumes.get(old["name"])
        if new is None:
            continue
        where, template = f"{key}.{new['key']}", old["claimTemplate"]
        if parse_quantity(new["claimTemplate"]) != parse_quantity(template):
            problems.append(
                f"{where}: pool {name!r} would change the claim template of its volume {old['name']!r} from "
                f"{template} to {new['claimTemplate']}, which Kubernetes refuses. To grow the volumes, keep "
                f"{where}.templateSize: {template} and raise {where}.size (docs/operations.md, 'Growing volumes')."
            )
        if parse_quantity(new["size"]) < parse_quantity(old["size"]):
            problems.append(
                f"{where}.size: pool {name!r} would shrink its volume {old['name']!r} from {old['size']} to "
                f"{new['size']}; Kubernetes cannot shrink a volume. Keep {old['size']} or larger."
            )
        if "storageClass" in old and new["storageClass"] != old["storageClass"]:
            problems.append(
                f"{where}.storageClass: pool {name!r} would change the storage class of volume {old['name']!r} "
                f"from {old['storageClass'] or 'the default'} to {new['storageClass'] or 'the default'}, but a "
                f"claim template is fixed and existing claims keep theirs. Keep {old['storageClass'] or 'it unset'}."
            )
    return problems


def _added_or_removed(key: str, name: str, before: list[str], after: Record) -> list[str]:
    """Adding or removing a volume changes the claim templates: only acknowledged, once the StatefulSet was
    deleted with its pods orphaned; a removed volume must have had its partitions moved away first."""
    names = [volume["name"] for volume in after["volumes"]]
    added, removed = [n for n in names if n not in before], [n for n in before if n not in names]
    if not (added or removed) or after.get("acknowledgedVolumes") == names:
        return []
    changes, steps = [], []
    if added:
        changes.append(f"add volume(s) {', '.join(added)}")
    if removed:
        changes.append(f"remove volume(s) {', '.join(removed)}")
        steps.append(
            f"move every partition off {', '.join(removed)} (kafka-reassign-partitions.sh with log_dirs, until "
            "kafka-log-dirs.sh --describe lists none there)"
        )
    steps.append(
        f"delete the StatefulSet but not its pods (kubectl delete statefulset {after['statefulSet']} "
        "--cascade=orphan) and run pulumi refresh"
    )
    return [
        f"{key}.storage.volumes: pool {name!r} would {' and '.join(changes)}, but a StatefulSet's claim templates "
        f"are fixed when it is created. First {', then '.join(steps)}; then set {key}.storage.acknowledgeVolumes: "
        f"[{', '.join(names)}] and run pulumi up: the new StatefulSet replaces the pods one at a time "
        "(docs/tailoring.md, 'Changing the volumes of a pool')."
    ]
