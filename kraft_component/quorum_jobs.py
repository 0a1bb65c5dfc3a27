"""The Job that makes every controller of a dynamic quorum a voter on the disk it runs on (KIP-853).

A controller added after creation, or one whose disk was wiped, starts as an observer with a new directory
ID; it votes only once the active controller accepts its AddRaftVoter request. The Job does that for each
controller of the pool that is not a voter, once it has caught up, first removing the voter its node ID had on
a lost disk; it succeeds at once for a controller that already votes, so re-running it is harmless. Every
dynamic quorum has it: re-running it replaces a wiped controller on Kafka before 4.2, which has no auto-join.
"""

from . import naming
from .jobs import admin_job
from .kafka_config import quorum_bootstrap_servers
from .manifests import Manifest
from .spec import ClusterSpec

MAX_CATCH_UP_LAG = 100  # metadata records an observer may trail the leader by and count as caught up
POLL_SECONDS = 10
DEADLINE_SECONDS = 3600


def environment(spec: ClusterSpec, namespace: str) -> dict[str, str]:
    """What add-controllers.sh reads: the controller pool, where the quorum is, the cluster ID."""
    (pool,) = spec.controller_pools
    return {
        "KRAFT_STATEFULSET": naming.statefulset_name(spec.name, pool.name),
        "KRAFT_NODE_ID_OFFSET": str(pool.first_node_id),
        "KRAFT_REPLICAS": str(pool.replicas),
        "KRAFT_TEMPLATE": f"{naming.CONFIG_MOUNT}/{naming.pool_template_key(pool.name)}",
        "KRAFT_BOOTSTRAP_CONTROLLERS": quorum_bootstrap_servers(spec, namespace),
        "KRAFT_CLUSTER_ID_FILE": f"{naming.SECRETS_MOUNT}/{naming.CLUSTER_ID_KEY}",
        "KRAFT_CONTROLLER_CLIENT_TEMPLATE": f"{naming.CONFIG_MOUNT}/{naming.CONTROLLER_CLIENT_PROPERTIES_KEY}",
        "KRAFT_MAX_LAG": str(MAX_CATCH_UP_LAG),
        "KRAFT_POLL_SECONDS": str(POLL_SECONDS),
    }


def add_controllers_job(spec: ClusterSpec, namespace: str) -> Manifest:
    """The Job, with the Kafka image's tools and the nodes' config and Secret files (not their data)."""
    return admin_job(
        spec, namespace, naming.add_controllers_job_name(spec.name), "add-controllers",
        ["/bin/bash", f"{naming.CONFIG_MOUNT}/{naming.ADD_CONTROLLERS_SCRIPT}"],
        env=environment(spec, namespace), deadline_seconds=DEADLINE_SECONDS,
    )  # fmt: skip
