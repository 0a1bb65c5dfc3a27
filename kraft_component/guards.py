"""Changes that would lose data or break the quorum, refused before anything is touched.

A deployment leaves a record of the choices that must never change silently; the next deployment's
record is compared with it. Every refusal names the key and the safe procedure.
"""

import hashlib
from typing import Any

from .quantity import parse_quantity
from .spec import ClusterSpec

Record = dict[str, Any]


def cluster_id_digest(cluster_id: str) -> str:
    """What the record keeps of the cluster ID: enough to notice a change, nothing to leak."""
    return hashlib.sha256(cluster_id.encode()).hexdigest()


def record(spec: ClusterSpec, cluster_id: str) -> Record:
    """The choices of this deployment that the next one must respect (no None values: the wire drops them)."""
    return {
        "clusterIdSha256": cluster_id_digest(cluster_id),
        **({"metadataVersion": spec.metadata_version} if spec.metadata_version else {}),
        "pools": {
            pool.name: {
                "index": index,
                "roles": sorted(role.value for role in pool.roles),
                "replicas": pool.replicas,
                "nodeIdOffset": pool.first_node_id,
                "storage": pool.storage.size,
                **(
                    {"scaleDownTo": pool.acknowledge_scale_down_to}
                    if pool.acknowledge_scale_down_to is not None
                    else {}
                ),
            }
            for index, pool in enumerate(spec.pools)
        },
    }


def refusals(previous: Record, current: Record) -> list[str]:
    """Why `current` must not replace `previous`: one message per dangerous change, empty when safe."""
    if not previous:
        return []
    problems = _cluster_id_change(previous, current) + _quorum_change(previous, current)
    problems += _metadata_downgrade(previous, current)
    for name, before in previous["pools"].items():
        after = current["pools"].get(name)
        problems += _pool_change(name, before, after)
    return problems


def _cluster_id_change(previous: Record, current: Record) -> list[str]:
    if previous["clusterIdSha256"] == current["clusterIdSha256"]:
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
        f"Keep {before} controllers; see README, 'Data safety'."
    ]


def _pool_change(name: str, before: dict[str, Any], after: dict[str, Any] | None) -> list[str]:
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
    if replicas < before["replicas"] and "broker" in before["roles"]:
        acknowledged = after is not None and after.get("scaleDownTo") == replicas
        if not acknowledged:
            problems.append(
                f"{key}.replicas: pool {name!r} would shrink from {before['replicas']} to {replicas} brokers, "
                f"and partitions on the removed brokers would lose replicas. Move them away first with "
                f"kafka-reassign-partitions.sh (README, 'Shrinking a broker pool'), then set "
                f"{key}.acknowledgeScaleDownTo: {replicas}."
            )
    if after and parse_quantity(after["storage"]) < parse_quantity(before["storage"]):
        problems.append(
            f"{key}.storage.size: pool {name!r} would shrink its volumes from {before['storage']} to "
            f"{after['storage']}; Kubernetes cannot shrink a volume. Keep {before['storage']} or larger."
        )
    return problems
