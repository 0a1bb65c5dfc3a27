"""The args of KraftCluster as a multi-language package: TypedDicts that Pulumi's analyzer turns into the schema.

One TypedDict per spec model, with the same camelCase keys as the `kraft:cluster` stack key; a key with a
default in the spec is NotRequired here. They only describe the shape: the hosted component validates what
arrives with `parse_spec`, so every rule and default stays in spec.py (tests/test_public_args.py keeps the two
in step). Closed sets reuse the spec's enums, because the analyzer accepts Enum but neither Literal nor Union.
The class names become the schema's type names (`kraft:index:ClusterSpec`), so they repeat the spec's.
"""

from typing import NotRequired, TypedDict

import pulumi

from .spec import (
    AclResource,
    ControllerProtocol,
    ExternalType,
    ImagePullPolicy,
    IssuerKind,
    PatternType,
    Permission,
    Profile,
    Protocol,
    QuorumMode,
    Spread,
    TlsSource,
    TopicsDeletePolicy,
)


class ComputeResources(TypedDict):
    """CPU and memory, as Kubernetes quantities."""

    cpu: str
    """CPU, for example `500m` or `2`."""
    memory: str
    """Memory, for example `2Gi`."""


class Resources(TypedDict):
    """Requests and limits of the Kafka container. The JVM heap is half the memory limit, at most 5 GiB."""

    requests: NotRequired[ComputeResources]
    """Default `{cpu: 500m, memory: 2Gi}`; at most the limits."""
    limits: NotRequired[ComputeResources]
    """Default `{cpu: "2", memory: 2Gi}`; the memory limit is at least 1Gi."""


class Storage(TypedDict):
    """The data volume of each node."""

    size: NotRequired[str]
    """Size of each node's volume. Default `20Gi`."""
    storageClass: NotRequired[str]
    """StorageClass of the volumes. Default: the cluster's default class."""
    templateSize: NotRequired[str]
    """The size the pool's StatefulSet was created with; set it to grow volumes. Default: `size`."""


class Scheduling(TypedDict):
    """Where the pods of a pool may run."""

    zone: NotRequired[str]
    """Pin the pool to one zone (`topology.kubernetes.io/zone`); its brokers get `broker.rack=<zone>`."""
    zoneSpread: NotRequired[Spread]
    """Spreading over `topology.kubernetes.io/zone`. Default `preferred`."""
    hostSpread: NotRequired[Spread]
    """Spreading over `kubernetes.io/hostname`. Default `required`."""
    nodeSelector: NotRequired[dict[str, str]]
    """Node labels the pods require. Default none."""


class PoolSpec(TypedDict):
    """A StatefulSet of identical nodes."""

    name: str
    """A DNS label; the StatefulSet is `<cluster name>-<pool name>`."""
    # Strings, not Role: pulumi 3.272's component provider turns each enum item of a list into `{}` before the
    # component sees it (tests/test_public_args.py notices when that is fixed).
    roles: list[str]
    """`broker`, `controller` or both (combined nodes: development only)."""
    replicas: int
    """Number of nodes, 1-1000."""
    nodeIdOffset: NotRequired[int]
    """`node.id` of ordinal 0; ranges may not overlap. Default: controller pools from 0, broker pools from 100."""
    resources: NotRequired[Resources]
    """Requests and limits of the Kafka container."""
    storage: NotRequired[Storage]
    """The data volume of each node."""
    scheduling: NotRequired[Scheduling]
    """Where the pods may run."""
    startupTimeoutSeconds: NotRequired[int]
    """How long a node may take to start (log recovery) before it is restarted. Default 900."""
    acknowledgeScaleDownTo: NotRequired[int]
    """Allows shrinking a broker pool or a dynamic controller pool to exactly this size."""


class Peer(TypedDict):
    """Pods allowed to reach the client port: by their namespace's labels, their own labels, or both."""

    namespaceLabels: NotRequired[dict[str, str]]
    """Labels of the namespaces; `{}` is every namespace."""
    podLabels: NotRequired[dict[str, str]]
    """Labels of the pods; alone, pods in the cluster's namespace."""


class Network(TypedDict):
    """Who may connect. The controller and inter-broker ports accept only the cluster's own pods."""

    clientsFrom: NotRequired[list[Peer]]
    """Pods that may reach the client port, besides the cluster's own. Default none."""


class TopicDefaults(TypedDict):
    """Cluster-wide defaults for new topics and the internal topics."""

    partitions: NotRequired[int]
    """`num.partitions`. Default 3."""
    replicationFactor: NotRequired[int]
    """`default.replication.factor` and the internal topics'. Default 3, or the broker count if smaller."""
    minInsyncReplicas: NotRequired[int]
    """`min.insync.replicas`. Default: the replication factor - 1, at least 1."""


class Quorum(TypedDict):
    """The metadata quorum, fixed when the cluster is created."""

    mode: NotRequired[QuorumMode]
    """`static` or `dynamic`. Default `dynamic`."""
    initialControllers: NotRequired[int]
    """Dynamic only: how many controllers formed the quorum at creation. Default: the controller count."""


class External(TypedDict):
    """Access from outside Kubernetes: a Service per broker, each advertised under its own host, TLS only."""

    type: NotRequired[ExternalType]
    """`LoadBalancer` (default) or `NodePort`."""
    protocol: NotRequired[Protocol]
    """`SSL` or `SASL_SSL` (default)."""
    hostPattern: str
    """Each broker's external DNS name, with {nodeId} for its node ID."""
    bootstrapHost: NotRequired[str]
    """The external bootstrap Service's DNS name, added to the certificate."""
    nodePortBase: NotRequired[int]
    """NodePort: the bootstrap's node port; each broker's is this + 1 + its node ID. Default 31000."""
    annotations: NotRequired[dict[str, str]]
    """Annotations on every external Service."""
    sourceRanges: NotRequired[list[str]]
    """CIDRs that may reach the external port. Default 0.0.0.0/0."""


class Listeners(TypedDict):
    """The security protocol of each listener; the defaults are the secure ones."""

    client: NotRequired[Protocol]
    """PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (default)."""
    internal: NotRequired[Protocol]
    """The inter-broker listener. Default SSL (mutual TLS)."""
    controller: NotRequired[ControllerProtocol]
    """PLAINTEXT or SSL (mutual TLS, default)."""
    external: NotRequired[External]
    """Access from outside Kubernetes; none by default."""


class Issuer(TypedDict):
    """A cert-manager issuer that publishes its CA in `ca.crt`."""

    kind: NotRequired[IssuerKind]
    """`Issuer` or `ClusterIssuer` (default)."""
    name: str
    """The issuer's name."""


class Tls(TypedDict):
    """The certificate every TLS listener presents."""

    source: NotRequired[TlsSource]
    """`generated` (pulumi_tls, default) or `certManager`."""
    issuer: NotRequired[Issuer]
    """certManager only: the issuer that signs."""
    validityDays: NotRequired[int]
    """Default 365."""
    renewBeforeDays: NotRequired[int]
    """Default 30."""


class Acl(TypedDict):
    """One ACL of a user."""

    resourceType: AclResource
    """`topic`, `group`, `cluster` or `transactionalId`."""
    name: str
    """The resource name (or prefix); `kafka-cluster` for the cluster."""
    patternType: NotRequired[PatternType]
    """`literal` (default) or `prefixed`."""
    # Strings, not AclOperation: enum items of a list reach the component as `{}` (see PoolSpec.roles).
    operations: list[str]
    """Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, All."""
    permission: NotRequired[Permission]
    """`allow` (default) or `deny`."""
    host: NotRequired[str]
    """The client address the ACL applies to. Default `*`."""


class User(TypedDict):
    """An application user with SCRAM-SHA-512 credentials in its own Secret."""

    name: str
    """A DNS label; the Secret is `<cluster name>-user-<name>`."""
    acls: NotRequired[list[Acl]]
    """What the user may do."""


class Topic(TypedDict):
    """A topic that kraft creates and keeps as declared."""

    name: str
    """The topic's name: letters, digits, '.', '_' and '-'."""
    partitions: NotRequired[int]
    """Its partition count; it can grow, never shrink. Default `topicDefaults.partitions`."""
    replicationFactor: NotRequired[int]
    """Replicas of each partition, at most the broker count; fixed once created. Default: the cluster's."""
    config: NotRequired[dict[str, str]]
    """Topic-level configs (`retention.ms`, `cleanup.policy`, ...), checked against the release's topic ConfigDef."""


class PodMonitor(TypedDict):
    """A Prometheus Operator PodMonitor that scrapes every node's metrics port."""

    enabled: NotRequired[bool]
    """Create it (needs the Prometheus Operator's CRDs). Default false."""
    labels: NotRequired[dict[str, str]]
    """Labels on the PodMonitor, to match your Prometheus's podMonitorSelector."""
    interval: NotRequired[str]
    """How often Prometheus scrapes each node. Default `30s`."""


class PrometheusRule(TypedDict):
    """A Prometheus Operator PrometheusRule with the alerts every Kafka cluster needs."""

    enabled: NotRequired[bool]
    """Create it (needs the Prometheus Operator's CRDs). Default false."""
    labels: NotRequired[dict[str, str]]
    """Labels on the PrometheusRule, to match your Prometheus's ruleSelector."""
    diskUsagePercent: NotRequired[int]
    """Alert when a node's data volume is fuller than this, in percent. Default 80."""


class Metrics(TypedDict):
    """Prometheus metrics of every node, served by Prometheus's JMX exporter as a Java agent."""

    enabled: NotRequired[bool]
    """Serve Prometheus metrics on port 9404 (`metrics`) of every node. Default false."""
    agentImage: NotRequired[str]
    """An image with the JMX exporter's Java agent jar. Default `ghcr.io/adobe/koperator/jmx-javaagent:1.5.0`."""
    agentJarPath: NotRequired[str]
    """Where the agent jar is in agentImage. Default `/jmx_prometheus_javaagent.jar`."""
    scrapeFrom: NotRequired[list[Peer]]
    """Pods that may reach the metrics port (your Prometheus); nothing else may. Default none."""
    podMonitor: NotRequired[PodMonitor]
    """A PodMonitor for the Prometheus Operator."""
    prometheusRule: NotRequired[PrometheusRule]
    """Alerting rules for the Prometheus Operator."""


class Authorization(TypedDict):
    """Kafka's StandardAuthorizer."""

    enabled: NotRequired[bool]
    """Default true."""
    superUsers: NotRequired[list[str]]
    """Users allowed everything, besides the cluster's own."""


class ClusterSpec(TypedDict):
    """A whole KRaft cluster: the same keys as the `kraft:cluster` stack config."""

    name: NotRequired[str]
    """Prefix of every object name (a DNS label). Default `kafka`."""
    profile: NotRequired[Profile]
    """`production` requires an odd number of at least 3 controllers. Default `production`."""
    namespace: NotRequired[str]
    """Namespace of every object. Default `kafka`."""
    createNamespace: NotRequired[bool]
    """Create the namespace (restricted Pod Security Standard, kept on destroy). Default true."""
    kafkaVersion: NotRequired[str]
    """One of 3.9.0-3.9.2, 4.0.0-4.0.2, 4.1.0-4.1.2, 4.2.0-4.2.2, 4.3.0-4.3.1, 4.4.0. Default `4.4.0`."""
    image: NotRequired[str]
    """Another registry's copy of the official image. Default `apache/kafka:<kafkaVersion>`."""
    metadataVersion: NotRequired[str]
    """Finalise `metadata.version` at this release once every node runs `kafkaVersion`."""
    imagePullPolicy: NotRequired[ImagePullPolicy]
    """Default `IfNotPresent`."""
    clusterDomain: NotRequired[str]
    """The cluster's DNS domain. Default `cluster.local`."""
    pools: NotRequired[list[PoolSpec]]
    """The StatefulSets. Default: one pool `nodes` of 3 combined nodes."""
    topicDefaults: NotRequired[TopicDefaults]
    """Defaults for new topics and the internal topics."""
    network: NotRequired[Network]
    """Who may connect."""
    quorum: NotRequired[Quorum]
    """The metadata quorum."""
    listeners: NotRequired[Listeners]
    """Listener security protocols and external access."""
    tls: NotRequired[Tls]
    """Where the certificates come from."""
    authorization: NotRequired[Authorization]
    """The authorizer and its super users."""
    users: NotRequired[list[User]]
    """Application users and their ACLs."""
    topics: NotRequired[list[Topic]]
    """Topics kraft creates, grows and configures."""
    topicsDeletePolicy: NotRequired[TopicsDeletePolicy]
    """`keep` (default): a topic removed from `topics` stays untouched; `delete`: kraft deletes it."""
    metrics: NotRequired[Metrics]
    """Prometheus metrics, alerts and their objects."""


class PackageArgs(TypedDict):
    """The inputs of the hosted KraftCluster: KraftClusterArgs with camelCase keys."""

    spec: NotRequired[ClusterSpec]
    """The cluster, validated before anything is created; plain values: they decide which resources exist."""
    namespace: NotRequired[pulumi.Input[str]]
    """Overrides `spec.namespace` and stops the component creating it; may come from another resource."""
    clusterId: NotRequired[pulumi.Input[str]]
    """Adopt this KRaft cluster ID (22 characters of base64url) instead of generating one."""
    userPasswords: NotRequired[dict[str, pulumi.Input[str]]]
    """A password per application user (secret); users without one get a generated password."""
