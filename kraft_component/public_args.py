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
    GarbageCollector,
    ImagePullPolicy,
    IssuerKind,
    LogLevel,
    NodeSelectorOperator,
    PatternType,
    Permission,
    Profile,
    Protocol,
    QuorumMode,
    SelectorOperator,
    Spread,
    TaintEffect,
    TlsSource,
    TolerationOperator,
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


class Volume(TypedDict):
    """One data volume of each node (JBOD): a claim template, mounted as its own Kafka log directory."""

    name: str
    """The claim template's name (a DNS label); the single-volume form is the volume `data`."""
    size: str
    """Size of the volume of each node."""
    storageClass: NotRequired[str]
    """StorageClass of the volume. Default: the cluster's default class."""
    templateSize: NotRequired[str]
    """The size the pool's StatefulSet was created with; set it to grow the volume. Default: `size`."""


class Storage(TypedDict):
    """The data volumes of each node: one (`size`, `storageClass`, `templateSize`), or several (`volumes`)."""

    size: NotRequired[str]
    """Size of each node's volume. Default `20Gi`."""
    storageClass: NotRequired[str]
    """StorageClass of the volumes. Default: the cluster's default class."""
    templateSize: NotRequired[str]
    """The size the pool's StatefulSet was created with; set it to grow volumes. Default: `size`."""
    volumes: NotRequired[list[Volume]]
    """Several data volumes (broker pools only), the first holding the metadata log; instead of the keys above."""
    acknowledgeVolumes: NotRequired[list[str]]
    """Allows adding or removing a volume of a deployed pool: the volume names after the change."""


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


class Logging(TypedDict):
    """Log levels of the nodes: OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE or ALL."""

    root: NotRequired[LogLevel]
    """The root logger's level. Default INFO."""
    # Strings, not LogLevel: enum values of a map reach the component as `{}`, like enum items of a list.
    loggers: NotRequired[dict[str, str]]
    """Levels of single loggers, e.g. {"kafka.controller": "DEBUG"}."""


class Toleration(TypedDict):
    """A node taint the pods tolerate."""

    key: NotRequired[str]
    """The taint's key; unset (with operator Exists) tolerates every taint."""
    operator: NotRequired[TolerationOperator]
    """`Equal` (default) or `Exists`."""
    value: NotRequired[str]
    """The taint's value, with operator Equal."""
    effect: NotRequired[TaintEffect]
    """NoSchedule, PreferNoSchedule or NoExecute; unset matches every effect."""
    tolerationSeconds: NotRequired[int]
    """NoExecute only: how long a pod stays on a node once tainted."""


class NodeSelectorRequirement(TypedDict):
    """A condition on a node label."""

    key: str
    """The node label's key."""
    operator: NodeSelectorOperator
    """In, NotIn, Exists, DoesNotExist, Gt or Lt."""
    values: NotRequired[list[str]]
    """In/NotIn: one or more; Exists/DoesNotExist: none; Gt/Lt: one integer."""


class NodeSelectorTerm(TypedDict):
    """Node label conditions that must all hold."""

    matchExpressions: list[NodeSelectorRequirement]
    """The conditions."""


class PreferredNodeTerm(TypedDict):
    """Node label conditions the scheduler prefers."""

    weight: int
    """1-100."""
    preference: NodeSelectorTerm
    """The conditions."""


class NodeAffinity(TypedDict):
    """Which nodes the pods may and should run on."""

    required: NotRequired[list[NodeSelectorTerm]]
    """The pods run only on nodes that meet one of these terms."""
    preferred: NotRequired[list[PreferredNodeTerm]]
    """Terms the scheduler prefers."""


class LabelSelectorRequirement(TypedDict):
    """A condition on a pod label."""

    key: str
    """The pod label's key."""
    operator: SelectorOperator
    """In, NotIn, Exists or DoesNotExist."""
    values: NotRequired[list[str]]
    """In/NotIn: one or more; Exists/DoesNotExist: none."""


class LabelSelector(TypedDict):
    """Pods, by their labels."""

    matchLabels: NotRequired[dict[str, str]]
    """Labels the pods have."""
    matchExpressions: NotRequired[list[LabelSelectorRequirement]]
    """Conditions on labels."""


class PodAffinityTerm(TypedDict):
    """Pods to keep away from, within a topology domain."""

    labelSelector: LabelSelector
    """The pods to keep away from."""
    topologyKey: str
    """The node label that defines the domain."""
    namespaces: NotRequired[list[str]]
    """Where those pods run. Default: the cluster's namespace."""


class PreferredPodTerm(TypedDict):
    """A pod anti-affinity term the scheduler prefers."""

    weight: int
    """1-100."""
    podAffinityTerm: PodAffinityTerm
    """The term."""


class PodAntiAffinity(TypedDict):
    """Other pods the nodes keep away from."""

    required: NotRequired[list[PodAffinityTerm]]
    """Terms that must all hold."""
    preferred: NotRequired[list[PreferredPodTerm]]
    """Terms the scheduler prefers."""


class ObjectMetadata(TypedDict):
    """Labels and annotations added to objects of one kind; kraft's own keys are refused."""

    labels: NotRequired[dict[str, str]]
    """Labels."""
    annotations: NotRequired[dict[str, str]]
    """Annotations."""


class EnvVar(TypedDict):
    """An environment variable of the Kafka container."""

    name: str
    """Not one kraft sets."""
    value: NotRequired[str]
    """Its value."""


class Jvm(TypedDict):
    """The Kafka JVM."""

    gc: NotRequired[GarbageCollector]
    """`G1` (default) or `ZGC`."""
    heap: NotRequired[str]
    """The heap, a quantity such as 3Gi. Default: half the memory limit, at most 5Gi."""
    extraFlags: NotRequired[list[str]]
    """More JVM flags, one per entry; not the heap or the collector."""


class PodTemplate(TypedDict):
    """How the pods are shaped and scheduled; a pool's template is merged over the cluster's."""

    tolerations: NotRequired[list[Toleration]]
    """Node taints the pods tolerate."""
    nodeAffinity: NotRequired[NodeAffinity]
    """Nodes the pods may and should run on."""
    podAntiAffinity: NotRequired[PodAntiAffinity]
    """Other pods the nodes keep away from."""
    priorityClassName: NotRequired[str]
    """The pods' PriorityClass."""
    imagePullSecrets: NotRequired[list[str]]
    """Names of Secrets to pull the image with."""
    serviceAccountName: NotRequired[str]
    """The pods' ServiceAccount."""
    terminationGracePeriodSeconds: NotRequired[int]
    """How long a stopping node may take. Default 360, at least 30."""
    env: NotRequired[list[EnvVar]]
    """More environment variables of the Kafka container."""
    jvm: NotRequired[Jvm]
    """The JVM's collector, heap and extra flags."""
    pod: NotRequired[ObjectMetadata]
    """Labels and annotations of the pods."""
    statefulSet: NotRequired[ObjectMetadata]
    """Labels and annotations of the StatefulSets."""
    service: NotRequired[ObjectMetadata]
    """Labels and annotations of the Services."""


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
    template: NotRequired[PodTemplate]
    """This pool's pod template, merged over the cluster's."""
    logging: NotRequired[Logging]
    """This pool's log levels, over the cluster's."""


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
    """One of 3.9.0-3.9.2, 4.0.0-4.0.2, 4.1.0-4.1.2, 4.2.0-4.2.1, 4.3.0-4.3.1. Default `4.3.1`."""
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
    template: NotRequired[PodTemplate]
    """Every pool's pod template, under each pool's own."""
    logging: NotRequired[Logging]
    """Log levels of every node, under each pool's own."""


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
