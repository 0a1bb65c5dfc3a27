"""The topics Job: makes the cluster's topics those of `kraft:cluster.topics` (scripts/topics.sh), on the shared
admin-Job builder."""

import hashlib
from collections.abc import Mapping, Sequence

from . import naming
from .jobs import admin_job
from .manifests import Manifest, bootstrap_servers
from .spec import ClusterSpec
from .topic_tables import config_table, retired_configs, retired_topics, topic_table

DEADLINE_SECONDS = 1800


def topics_job(spec: ClusterSpec, namespace: str, ever_declared: Mapping[str, Sequence[str]]) -> Manifest:
    """The Job that creates, grows and configures the declared topics, given every topic kraft ever declared with
    the config keys it set (the deployment record's `managed.topics`). A change of the tables re-runs it."""
    digest = hashlib.sha256(f"{topic_table(spec)}\0{config_table(spec)}".encode()).hexdigest()
    return admin_job(
        spec, namespace, naming.topics_job_name(spec.name), "topics",
        ["/bin/bash", f"{naming.CONFIG_MOUNT}/{naming.TOPICS_SCRIPT}"],
        env={
            "KRAFT_BOOTSTRAP_SERVERS": bootstrap_servers(spec, namespace),
            "KRAFT_TOPICS": f"{naming.CONFIG_MOUNT}/{naming.TOPICS_KEY}",
            "KRAFT_TOPIC_CONFIGS": f"{naming.CONFIG_MOUNT}/{naming.TOPIC_CONFIGS_KEY}",
            "KRAFT_RETIRED_TOPIC_CONFIGS": retired_configs(spec, ever_declared),
            "KRAFT_RETIRED_TOPICS": " ".join(retired_topics(spec, ever_declared)),
        },
        deadline_seconds=DEADLINE_SECONDS, annotations={"kraft/topics-sha256": digest},
    )  # fmt: skip
