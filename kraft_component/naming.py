"""Every name the cluster uses: Kubernetes objects, pod DNS names, labels, Secret keys.

Nothing else formats a name, so the advertised host of a node, the quorum voters and the Services
can never disagree.
"""

MAX_STATEFULSET_NAME = 52  # the controller-revision-hash label is `<statefulset>-<10 chars>`, at most 63
MAX_DNS_LABEL = 63
CLUSTER_ID_KEY = "cluster-id"
DIRECTORY_ID_KEY_PREFIX = "directory-id-"
QUORUM_FORMED_KEY = "formed"  # the quorum marker's only key
CONFIG_CHECKSUM_ANNOTATION = "kraft/config-checksum"
TLS_REVISION_ANNOTATION = "kraft/tls-revision"
ZONE_LABEL = "topology.kubernetes.io/zone"
HOST_LABEL = "kubernetes.io/hostname"
POOL_LABEL = "kraft/pool"
ADMIN_NAME = "kafka-admin"  # app.kubernetes.io/name of the admin Jobs' pods
BROKER_LABEL = "kraft/broker"
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"  # set by the StatefulSet controller on every pod
ADMIN_USER = "kraft-admin"  # SCRAM user of the admin Jobs and of operators (a super user)
INTERNAL_USER = "kraft-internal"  # SCRAM user of the brokers on a SASL inter-broker listener
# Created by `kafka-storage format --add-scram`, with passwords from the cluster-ID Secret. Both always exist,
# so turning SASL on later finds them in the metadata log.
BOOTSTRAPPED_USERS = (ADMIN_USER, INTERNAL_USER)
TLS_KEY, TLS_CERTIFICATE, TLS_CA = "tls.key", "tls.crt", "ca.crt"  # kubernetes.io/tls Secret keys
CONTROLLER_LABEL = "kraft/controller"
# Label and annotation keys a user's template may not set: the labels every selector of the cluster matches,
# the labels the StatefulSet controller puts on pods, and the prefixes of keys that the component, the
# Pulumi Kubernetes provider (pulumi.com/skipAwait, ...) and the checkov gate read.
SELECTED_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/instance", POD_NAME_LABEL,
                   "controller-revision-hash", "apps.kubernetes.io/pod-index")  # fmt: skip
RESERVED_KEY_PREFIXES = ("kraft/", "pulumi.com/", "checkov.io/")
# Environment variables a user's template may not set: those the node script and Kafka's launcher read from
# the component (tests check that every variable a node gets is here), and KAFKA_OPTS, whose flags belong in
# template.jvm.extraFlags. Every KRAFT_ name is reserved as well.
RESERVED_ENV = ("POD_NAME", "KAFKA_HEAP_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_OPTS", "KAFKA_LOG4J_OPTS",
                "LOG_DIR", "EXTRA_ARGS")  # fmt: skip
RESERVED_ENV_PREFIX = "KRAFT_"


def statefulset_name(cluster: str, pool: str) -> str:
    """The StatefulSet (and PodDisruptionBudget) of a pool."""
    return f"{cluster}-{pool}"


def pod_name(statefulset: str, ordinal: int | str) -> str:
    """A pod of a StatefulSet, as Kubernetes names it."""
    return f"{statefulset}-{ordinal}"


def headless_service_name(cluster: str) -> str:
    """The headless Service that gives every pod its DNS name."""
    return f"{cluster}-headless"


def bootstrap_service_name(cluster: str) -> str:
    """The client Service that clients bootstrap from."""
    return f"{cluster}-bootstrap"


def config_map_name(cluster: str) -> str:
    """The ConfigMap with the node bootstrap script and the per-pool configuration."""
    return f"{cluster}-config"


def cluster_id_secret_name(cluster: str) -> str:
    """The Secret that holds the cluster ID."""
    return f"{cluster}-cluster-id"


def metadata_version_job_name(cluster: str) -> str:
    """The Job that finalises metadata.version after an upgrade."""
    return f"{cluster}-metadata-version"


def admin_labels(cluster: str) -> dict[str, str]:
    """Labels that select the admin Jobs' pods: not the cluster's, so no Service or budget of the nodes does."""
    return {"app.kubernetes.io/name": ADMIN_NAME, "app.kubernetes.io/instance": cluster}


def admin_job_labels(cluster: str, task: str) -> dict[str, str]:
    """Labels of one admin Job's pod."""
    return admin_labels(cluster) | {"app.kubernetes.io/component": task}


def scram_password_key(user: str) -> str:
    """The cluster-ID Secret key of a bootstrapped SCRAM user's password (the admin and internal users)."""
    return f"{user}.password"


def tls_secret_name(cluster: str) -> str:
    """The Secret with the nodes' certificate and key and the CA that signed it (also the Certificate's)."""
    return f"{cluster}-tls"


def user_secret_name(cluster: str, user: str) -> str:
    """The Secret with one application user's SCRAM credentials."""
    return f"{cluster}-user-{user}"


def users_job_name(cluster: str) -> str:
    """The Job that creates the application users and applies their ACLs."""
    return f"{cluster}-users"


def external_service_name(pod: str) -> str:
    """The Service that exposes one broker pod outside Kubernetes."""
    return f"{pod}-external"


def external_bootstrap_service_name(cluster: str) -> str:
    """The Service external clients bootstrap from."""
    return f"{cluster}-external"


def external_host(host_pattern: str, node_id: int | str) -> str:
    """A broker's external DNS name: `kraft:cluster.listeners.external.hostPattern` with its node ID."""
    return host_pattern.replace("{nodeId}", str(node_id))


def node_principal(cluster: str) -> str:
    """The common name of the nodes' certificate, which is their principal on mutual-TLS listeners."""
    return f"{cluster}-node"


def directory_id_key(node_id: int) -> str:
    """The cluster-ID Secret key of a controller's metadata directory ID (dynamic quorum)."""
    return f"{DIRECTORY_ID_KEY_PREFIX}{node_id}"


def quorum_marker_name(cluster: str) -> str:
    """The ConfigMap that exists once a dynamic quorum has formed (see kraft_component.quorum_marker)."""
    return f"{cluster}-quorum"


def add_controllers_job_name(cluster: str) -> str:
    """The Job that makes every controller of a dynamic quorum a voter."""
    return f"{cluster}-add-controllers"


def topics_job_name(cluster: str) -> str:
    """The Job that creates, grows and configures the declared topics."""
    return f"{cluster}-topics"


def pod_monitor_name(cluster: str) -> str:
    """The Prometheus Operator PodMonitor that scrapes the nodes."""
    return f"{cluster}-metrics"


def prometheus_rule_name(cluster: str) -> str:
    """The Prometheus Operator PrometheusRule with the cluster's alerts."""
    return f"{cluster}-alerts"


def claim_name(volume: str, statefulset: str, ordinal: int) -> str:
    """The PersistentVolumeClaim the StatefulSet controller creates for a pod from claim template `volume`."""
    return f"{volume}-{pod_name(statefulset, ordinal)}"


def volume_mount(volume: str) -> str:
    """Where a data volume (a claim template) is mounted: `data` at DATA_MOUNT, every other beside it."""
    return f"{DATA_ROOT}/{volume}"


def log_dir(volume: str) -> str:
    """The Kafka log directory on a data volume: a subdirectory, so a filesystem's lost+found is never a
    partition."""
    return f"{volume_mount(volume)}/logs"


def network_policy_name(cluster: str, subject: str) -> str:
    """The NetworkPolicy that guards the nodes or the admin Jobs."""
    return f"{cluster}-{subject}"


def pool_template_key(pool: str) -> str:
    """The ConfigMap key of a pool's server.properties template."""
    return f"{pool}.properties"


def logging_key(log4j2: bool, pool: str | None = None) -> str:
    """The ConfigMap key of a logging configuration: log4j2 YAML (Kafka 4.x) or log4j 1 properties (3.9);
    the cluster's, or a pool's own when its log levels differ."""
    name = LOG4J2_CONFIG if log4j2 else LOG4J_CONFIG
    return f"{pool}.{name}" if pool else name


def pod_fqdn(pod: str, cluster: str, namespace: str, cluster_domain: str) -> str:
    """The DNS name Kubernetes gives a StatefulSet pod through the headless Service."""
    return f"{pod}.{headless_service_name(cluster)}.{namespace}.svc.{cluster_domain}"


def service_fqdn(service: str, namespace: str, cluster_domain: str) -> str:
    """The DNS name of a Service."""
    return f"{service}.{namespace}.svc.{cluster_domain}"


def cluster_labels(cluster: str) -> dict[str, str]:
    """Labels that select every pod of the cluster."""
    return {"app.kubernetes.io/name": "kafka", "app.kubernetes.io/instance": cluster}


def pool_selector_labels(cluster: str, pool: str) -> dict[str, str]:
    """Labels that select exactly the pods of one pool."""
    return {**cluster_labels(cluster), POOL_LABEL: pool}


def name_length_problem(cluster: str, pool: str, replicas: int, external: bool = False) -> str | None:
    """Why the names derived from `cluster` and `pool` would be refused by Kubernetes, or None."""
    statefulset = statefulset_name(cluster, pool)
    if len(statefulset) > MAX_STATEFULSET_NAME:
        return (
            f"the StatefulSet name {statefulset!r} has {len(statefulset)} characters; "
            f"the cluster name and pool name together allow at most {MAX_STATEFULSET_NAME}"
        )
    last_pod = pod_name(statefulset, replicas - 1)
    longest = max(
        external_service_name(last_pod) if external else last_pod,
        headless_service_name(cluster), metadata_version_job_name(cluster), key=len,
    )  # fmt: skip
    if len(longest) > MAX_DNS_LABEL:
        return f"{longest!r} is longer than a DNS label ({MAX_DNS_LABEL} characters); shorten the names"
    return None


# Paths inside the Kafka container (apache/kafka keeps Kafka in /opt/kafka and runs as uid 1000).
KAFKA_HOME = "/opt/kafka"
DATA_VOLUME = "data"  # the claim template of a pool's single (or first) data volume
DATA_ROOT = "/var/lib/kafka"
DATA_MOUNT = f"{DATA_ROOT}/{DATA_VOLUME}"
CONFIG_MOUNT = "/etc/kraft"
SECRETS_MOUNT = "/etc/kraft-secrets"
RUNTIME_MOUNT = "/var/lib/kraft"
SERVER_PROPERTIES = f"{RUNTIME_MOUNT}/server.properties"
JVM_STARTED = f"{RUNTIME_MOUNT}/kafka-started"  # rewritten by the node script just before it execs Kafka
QUORUM_MOUNT = "/etc/kraft-quorum"
KAFKA_LOGS_MOUNT = f"{KAFKA_HOME}/logs"
TMP_MOUNT = "/tmp"
BOOTSTRAP_SCRIPT = "node-bootstrap.sh"
CONTROLLER_READY_SCRIPT = "controller-ready.sh"
PROPERTIES_LIBRARY = "properties.sh"
USERS_SCRIPT = "users.sh"
METADATA_VERSION_SCRIPT = "metadata-version.sh"
ACLS_KEY = "acls.tsv"  # the users Job's declared ACL entries
TOPICS_SCRIPT = "topics.sh"
TOPICS_KEY = "topics.tsv"  # the topics Job's declared topics
TOPIC_CONFIGS_KEY = "topic-configs.tsv"  # and their configs
USERS_MOUNT = "/etc/kraft-users"
TLS_MOUNT = "/etc/kraft-tls"
CLIENT_PROPERTIES_KEY = "client.properties"  # the admin tools' client config template
CONTROLLER_CLIENT_PROPERTIES_KEY = "controller-client.properties"  # the same for the controller listener
ADD_CONTROLLERS_SCRIPT = "add-controllers.sh"
LOG4J2_CONFIG = "log4j2.yaml"
LOG4J_CONFIG = "log4j.properties"
# ConfigMap files beside the pools' templates (`<pool>.properties`), which a pool's name may not take.
SHARED_PROPERTIES_FILES = (LOG4J_CONFIG, CLIENT_PROPERTIES_KEY, CONTROLLER_CLIENT_PROPERTIES_KEY)
# The pod volumes besides the data volumes (claim templates), which may not take their names.
POD_VOLUMES = ("config", "cluster-id", "runtime", "kafka-logs", "tmp", "tls")
