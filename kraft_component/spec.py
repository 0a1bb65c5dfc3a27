"""The validated, frozen cluster specification: everything downstream trusts it.

Stack config (`kraft:cluster`) and component args are parsed here once, at the edge. Every error names
the key path (`kraft:cluster.pools[0].replicas`) and, for closed sets, the allowed values.
"""

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from . import naming
from .quantity import parse_quantity

KAFKA_VERSIONS = (
    "3.9.0", "3.9.1", "3.9.2",
    "4.0.0", "4.0.1", "4.0.2",
    "4.1.0", "4.1.1", "4.1.2",
    "4.2.0", "4.2.1",
    "4.3.0", "4.3.1",
)  # fmt: skip
DEFAULT_KAFKA_VERSION = "4.3.1"
MIN_MEMORY_LIMIT = "1Gi"
CLUSTER_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
KAFKA_INT_MAX = 2**31 - 1  # node.id and num.partitions are Java ints
_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_METADATA_VERSION = re.compile(r"^(?P<major>[3-9])\.(?P<minor>\d{1,2})(-IV\d{1,2})?$")
_IMAGE = re.compile(
    r"^[a-z0-9]([a-z0-9._-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$"
)
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


class InvalidSpec(ValueError):
    """A spec that cannot be deployed; the message names every offending key."""


class RuleError(ValueError):
    """A cross-field rule broken at `path`, relative to the model that checks it."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path


class Role(StrEnum):
    """What a node does: `process.roles` holds one or both."""

    BROKER = "broker"
    CONTROLLER = "controller"


class Spread(StrEnum):
    """How strictly pods of a pool are spread across a topology domain."""

    REQUIRED = "required"
    PREFERRED = "preferred"


class Profile(StrEnum):
    """How strict the quorum rules are: production needs an odd number of at least 3 controllers."""

    PRODUCTION = "production"
    DEVELOPMENT = "development"


class QuorumMode(StrEnum):
    """How controllers find the quorum, fixed when the cluster is formatted.

    static: `controller.quorum.voters` lists every voter; the controller count can never change.
    dynamic (KIP-853): `controller.quorum.bootstrap.servers`; voters are added and removed at run time.
    """

    STATIC = "static"
    DYNAMIC = "dynamic"


class ImagePullPolicy(StrEnum):
    """The Kubernetes image pull policy."""

    ALWAYS = "Always"
    IF_NOT_PRESENT = "IfNotPresent"
    NEVER = "Never"


def _dns_label(value: str) -> str:
    if not _DNS_LABEL.match(value) or len(value) > 63:
        raise ValueError(
            f"{value!r} must be a DNS label: at most 63 lower-case letters, digits and '-', starting with a letter"
        )
    return value


def _dns_subdomain(value: str) -> str:
    if not _DNS_SUBDOMAIN.match(value) or len(value) > 253:
        raise ValueError(f"{value!r} must be a DNS subdomain: lower-case letters, digits, '-' and '.'")
    return value


def _metadata_version(value: str) -> str:
    if not _METADATA_VERSION.match(value):
        raise ValueError(
            f"{value!r} is not a metadata version; allowed: a Kafka release such as 3.9 or 4.3 (or 4.3-IV0)"
        )
    return value


def _image(value: str) -> str:
    if not _IMAGE.match(value):
        raise ValueError(
            f"{value!r} is not an image reference such as registry.example/kafka:4.3.1 or name@sha256:<digest>"
        )
    return value


def _label_key(value: str) -> str:
    prefix, _, name = value.rpartition("/")
    if (
        (prefix and (len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)))
        or len(name) > 63
        or not _LABEL_NAME.match(name)
    ):
        raise ValueError(
            f"{value!r} is not a label key: [prefix/]name, name of at most 63 letters, digits, '-', '_', '.'"
        )
    return value


def _label_value(value: str) -> str:
    if value and (len(value) > 63 or not _LABEL_NAME.match(value)):
        raise ValueError(f"{value!r} is not a label value: at most 63 letters, digits, '-', '_', '.'")
    return value


def _quantity(value: str) -> str:
    parse_quantity(value)
    return value


def _kafka_version(value: str) -> str:
    if value not in KAFKA_VERSIONS:
        raise ValueError(f"{value!r} is not a supported Kafka version; allowed: {', '.join(KAFKA_VERSIONS)}")
    return value


DnsLabel = Annotated[str, AfterValidator(_dns_label)]
DnsSubdomain = Annotated[str, AfterValidator(_dns_subdomain)]
ImageRef = Annotated[str, AfterValidator(_image)]
MetadataVersion = Annotated[str, AfterValidator(_metadata_version)]
LabelKey = Annotated[str, AfterValidator(_label_key)]
LabelValue = Annotated[str, AfterValidator(_label_value)]
Quantity = Annotated[str, AfterValidator(_quantity)]
KafkaVersion = Annotated[str, AfterValidator(_kafka_version)]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True, use_enum_values=False
    )


class ComputeResources(_Model):
    """CPU and memory, as Kubernetes quantities."""

    cpu: Quantity
    memory: Quantity


class Resources(_Model):
    """Requests and limits of the Kafka container. The JVM heap is derived from `limits.memory`."""

    requests: ComputeResources = ComputeResources(cpu="500m", memory="2Gi")
    limits: ComputeResources = ComputeResources(cpu="2", memory="2Gi")

    @model_validator(mode="after")
    def _requests_within_limits(self) -> Self:
        for resource in ("cpu", "memory"):
            request = getattr(self.requests, resource)
            limit = getattr(self.limits, resource)
            if parse_quantity(request) > parse_quantity(limit):
                raise RuleError(f"requests.{resource}", f"{request} is above limits.{resource} ({limit})")
        if parse_quantity(self.limits.memory) < parse_quantity(MIN_MEMORY_LIMIT):
            raise RuleError("limits.memory", f"{self.limits.memory} is below the minimum {MIN_MEMORY_LIMIT}")
        return self


class Storage(_Model):
    """The data volume of each node (a volumeClaimTemplate)."""

    size: Quantity = "20Gi"
    storage_class: DnsSubdomain | None = Field(
        default=None, description="StorageClass name; the cluster default if unset."
    )
    template_size: Quantity | None = Field(
        default=None,
        description="The size the pool's StatefulSet was created with, once `size` has grown beyond it.",
    )

    @model_validator(mode="after")
    def _template_within_size(self) -> Self:
        if self.template_size is not None and parse_quantity(self.template_size) > parse_quantity(self.size):
            raise RuleError("size", f"{self.size} is below templateSize ({self.template_size}); volumes cannot shrink")
        return self

    @property
    def claim_template_size(self) -> str:
        """The size in the StatefulSet's claim template, which Kubernetes never lets change."""
        return self.template_size or self.size

    @property
    def grown(self) -> bool:
        """Whether existing claims must be grown beyond the claim template."""
        return parse_quantity(self.size) != parse_quantity(self.claim_template_size)


class Scheduling(_Model):
    """Where the pods of a pool may run."""

    zone: LabelValue | None = Field(
        default=None, description="Pin the pool to this zone; its brokers get broker.rack=<zone>."
    )
    zone_spread: Spread = Spread.PREFERRED
    host_spread: Spread = Spread.REQUIRED
    node_selector: dict[LabelKey, LabelValue] = {}


class PoolSpec(_Model):
    """A StatefulSet of identical nodes."""

    name: DnsLabel
    roles: Annotated[list[Role], Field(min_length=1, max_length=2)]
    replicas: Annotated[int, Field(ge=1, le=1000)]
    node_id_offset: Annotated[int | None, Field(ge=0)] = None
    resources: Resources = Resources()
    storage: Storage = Storage()
    scheduling: Scheduling = Scheduling()
    startup_timeout_seconds: Annotated[int, Field(ge=30, le=86400)] = 900
    acknowledge_scale_down_to: Annotated[int | None, Field(ge=0)] = Field(
        default=None, description="Allows shrinking a broker pool to this size once partitions were moved away."
    )

    @model_validator(mode="after")
    def _distinct_roles(self) -> Self:
        if len(set(self.roles)) != len(self.roles):
            raise RuleError("roles", f"lists a role twice; allowed: {', '.join(Role)}, each at most once")
        return self

    @model_validator(mode="after")
    def _node_ids_fit_kafka(self) -> Self:
        if self.node_id_offset is not None and self.node_id_offset + self.replicas - 1 > KAFKA_INT_MAX:
            raise RuleError("nodeIdOffset", f"the last node ID would exceed {KAFKA_INT_MAX}, Kafka's largest node.id")
        return self

    @property
    def is_broker(self) -> bool:
        """Whether the pool's nodes serve clients."""
        return Role.BROKER in self.roles

    @property
    def is_controller(self) -> bool:
        """Whether the pool's nodes vote in the metadata quorum."""
        return Role.CONTROLLER in self.roles

    @property
    def first_node_id(self) -> int:
        """The node ID of ordinal 0 (resolved by ClusterSpec)."""
        assert self.node_id_offset is not None, "ClusterSpec resolves every pool's nodeIdOffset"
        return self.node_id_offset

    def node_ids(self) -> range:
        """The node IDs of this pool, in ordinal order."""
        return range(self.first_node_id, self.first_node_id + self.replicas)


class Peer(_Model):
    """Pods allowed to reach the client port: by their namespace's labels, their own labels, or both
    (`namespaceLabels: {}` means every namespace; pod labels alone mean the cluster's namespace)."""

    namespace_labels: dict[LabelKey, LabelValue] | None = None
    pod_labels: dict[LabelKey, LabelValue] | None = None

    @model_validator(mode="after")
    def _selects_something(self) -> Self:
        if self.namespace_labels is None and self.pod_labels is None:
            raise RuleError("", "names no pods; allowed: namespaceLabels, podLabels or both")
        return self


class Network(_Model):
    """Who may connect. The controller and inter-broker ports accept only the cluster's own pods."""

    clients_from: list[Peer] = Field(
        default=[], description="Pods that may reach the client port, besides the cluster's own."
    )


class TopicDefaults(_Model):
    """Cluster-wide defaults for new topics and the internal topics; unset values follow the broker count."""

    partitions: Annotated[int, Field(ge=1, le=KAFKA_INT_MAX)] = 3
    replication_factor: Annotated[int | None, Field(ge=1)] = None
    min_insync_replicas: Annotated[int | None, Field(ge=1)] = None


class Quorum(_Model):
    """The metadata quorum. Dynamic is the default: every supported Kafka (3.9+) has it, it lets the
    controller pool grow and shrink, and Kafka 4.3 deprecates the static `controller.quorum.voters`."""

    mode: QuorumMode = QuorumMode.DYNAMIC
    initial_controllers: Annotated[int | None, Field(ge=1)] = Field(
        default=None,
        description="Dynamic mode: the controllers (ordinals 0..n-1) that formed the quorum at creation; "
        "defaults to the controller count. Fixed once deployed; later controllers join with add-controller.",
    )

    @model_validator(mode="after")
    def _initial_controllers_are_dynamic(self) -> Self:
        if self.initial_controllers is not None and self.mode is QuorumMode.STATIC:
            raise RuleError(
                "initialControllers",
                "applies to mode dynamic only; in mode static every controller is a voter from creation",
            )
        return self


def _default_pools() -> list[PoolSpec]:
    return [PoolSpec(name="nodes", roles=[Role.BROKER, Role.CONTROLLER], replicas=3, node_id_offset=0)]


class ClusterSpec(_Model):
    """A whole KRaft cluster."""

    name: DnsLabel = "kafka"
    profile: Profile = Profile.PRODUCTION
    namespace: DnsLabel = "kafka"
    create_namespace: bool = True
    kafka_version: KafkaVersion = DEFAULT_KAFKA_VERSION
    image: ImageRef | None = Field(default=None, description="Defaults to apache/kafka:<kafkaVersion>.")
    metadata_version: MetadataVersion | None = Field(
        default=None, description="Finalise metadata.version at this release once every node runs the new image."
    )
    image_pull_policy: ImagePullPolicy = ImagePullPolicy.IF_NOT_PRESENT
    cluster_domain: DnsSubdomain = "cluster.local"
    pools: Annotated[list[PoolSpec], Field(min_length=1)] = Field(default_factory=_default_pools)
    topic_defaults: TopicDefaults = TopicDefaults()
    network: Network = Network()
    quorum: Quorum = Quorum()

    @model_validator(mode="before")
    @classmethod
    def _resolve_node_id_offsets(cls, data: Any) -> Any:
        """Give every pool without a `nodeIdOffset` the default one (see default_node_id_offsets)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("pools"), list):
            return data
        pools = [
            item.model_dump(by_alias=True, exclude_none=True) if isinstance(item, PoolSpec) else item
            for item in data["pools"]
        ]
        if not all(isinstance(pool, Mapping) for pool in pools):
            return data
        offsets = default_node_id_offsets(pools)
        return {
            **data,
            "pools": [{**pool, "nodeIdOffset": offset} for pool, offset in zip(pools, offsets, strict=True)],
        }

    @model_validator(mode="after")
    def _check_topology(self) -> Self:
        _check_pool_names(self)
        _check_node_ids(self.pools)
        if self.controller_count == 0:
            raise RuleError("pools", "no pool has the role 'controller'; a KRaft cluster needs a quorum")
        if self.broker_count == 0:
            raise RuleError("pools", "no pool has the role 'broker'; clients need at least one broker")
        _check_quorum_size(self)
        _check_metadata_version(self)
        _check_racks(self)
        _check_dynamic_quorum_pools(self)
        _check_topic_defaults(self)
        return self

    @property
    def image_ref(self) -> str:
        """The container image that runs every node."""
        return self.image or f"apache/kafka:{self.kafka_version}"

    @property
    def kafka_minor(self) -> tuple[int, int]:
        """(major, minor) of the Kafka release, for version-dependent settings."""
        major, minor, _ = self.kafka_version.split(".")
        return int(major), int(minor)

    @property
    def metadata_release(self) -> tuple[int, int] | None:
        """(major, minor) of the metadata version to finalise, if any."""
        match = _METADATA_VERSION.match(self.metadata_version or "")
        return (int(match["major"]), int(match["minor"])) if match else None

    @property
    def broker_count(self) -> int:
        """Nodes that hold partitions."""
        return sum(pool.replicas for pool in self.pools if pool.is_broker)

    @property
    def controller_count(self) -> int:
        """Voters of the metadata quorum."""
        return sum(pool.replicas for pool in self.pools if pool.is_controller)

    @property
    def controller_pools(self) -> list[PoolSpec]:
        """The pools whose nodes vote in the metadata quorum."""
        return [pool for pool in self.pools if pool.is_controller]

    @property
    def is_dynamic_quorum(self) -> bool:
        """Whether the quorum is KIP-853 dynamic (else static voters)."""
        return self.quorum.mode is QuorumMode.DYNAMIC

    @property
    def initial_controller_count(self) -> int:
        """Dynamic mode: how many controllers (ordinals from 0) formed the quorum at creation."""
        return self.quorum.initial_controllers or self.controller_count

    @property
    def has_controllers_to_add(self) -> bool:
        """Dynamic mode: whether controllers joined after creation and must be added as voters."""
        return self.is_dynamic_quorum and self.controller_count > self.initial_controller_count

    @property
    def replication_factor(self) -> int:
        """Replicas of every new and internal topic: 3, or the broker count when smaller."""
        return self.topic_defaults.replication_factor or min(3, self.broker_count)

    @property
    def min_insync_replicas(self) -> int:
        """In-sync replicas an acks=all write needs: one fewer than the replication factor, at least 1."""
        return self.topic_defaults.min_insync_replicas or max(1, self.replication_factor - 1)


def default_node_id_offsets(pools: list[Mapping[str, Any]]) -> list[Any]:
    """Each pool's `nodeIdOffset`: as given, else the next free multiple of 100, controller pools first
    (from 0), then broker-only pools (from 100), never overlapping a range given explicitly."""
    offsets = [pool.get("nodeIdOffset", pool.get("node_id_offset")) for pool in pools]
    sizes = [
        pool["replicas"] if isinstance(pool.get("replicas"), int) and pool["replicas"] > 0 else 1 for pool in pools
    ]
    taken = [
        range(offset, offset + size) for offset, size in zip(offsets, sizes, strict=True) if isinstance(offset, int)
    ]
    controllers_first = sorted(range(len(pools)), key=lambda i: "controller" not in (pools[i].get("roles") or []))
    candidate = 0
    for index in (i for i in controllers_first if offsets[i] is None):
        if "controller" not in (pools[index].get("roles") or []):
            candidate = max(candidate, 100)
        while any(candidate < other.stop and other.start < candidate + sizes[index] for other in taken):
            candidate += 100
        offsets[index] = candidate
        taken.append(range(candidate, candidate + sizes[index]))
        candidate += -(-sizes[index] // 100) * 100
    return offsets


def _check_pool_names(spec: ClusterSpec) -> None:
    seen: set[str] = set()
    for index, pool in enumerate(spec.pools):
        if pool.name in seen:
            raise RuleError(f"pools[{index}].name", f"{pool.name!r} names two pools; pool names must be unique")
        seen.add(pool.name)
        problem = naming.name_length_problem(spec.name, pool.name, pool.replicas)
        if problem:
            raise RuleError(f"pools[{index}].name", problem)


def _check_node_ids(pools: list[PoolSpec]) -> None:
    owners: dict[int, int] = {}
    for index, pool in enumerate(pools):
        for node_id in pool.node_ids():
            if node_id in owners:
                other = pools[owners[node_id]]
                raise RuleError(
                    f"pools[{index}].nodeIdOffset",
                    f"node IDs {pool.node_ids().start}-{pool.node_ids().stop - 1} of pool {pool.name!r} overlap "
                    f"those of pool {other.name!r} ({other.node_ids().start}-{other.node_ids().stop - 1}); "
                    "choose an offset that keeps the ranges apart",
                )
            owners[node_id] = index


def _check_quorum_size(spec: ClusterSpec) -> None:
    """A quorum of 2n+1 controllers survives n failures; an even count adds a member but no tolerance."""
    voters = spec.controller_count
    if spec.profile is Profile.PRODUCTION and (voters < 3 or voters % 2 == 0):
        raise RuleError(
            "pools",
            f"{voters} controllers in a production profile; allowed: an odd number, at least 3 (3 survives one "
            "failure, 5 survives two). For a disposable cluster set kraft:cluster.profile: development",
        )


def _check_metadata_version(spec: ClusterSpec) -> None:
    """The metadata version can only be one the running software supports."""
    if spec.metadata_release is not None and spec.metadata_release > spec.kafka_minor:
        raise RuleError(
            "metadataVersion",
            f"{spec.metadata_version} is newer than kafkaVersion {spec.kafka_version}; allowed: "
            f"{spec.kafka_minor[0]}.{spec.kafka_minor[1]} or older. Roll out the new kafkaVersion first",
        )


def _check_racks(spec: ClusterSpec) -> None:
    """Kafka places replicas by rack only when every broker has one: all broker pools pin a zone, or none."""
    zoned = [pool.scheduling.zone is not None for pool in spec.pools if pool.is_broker]
    if any(zoned) and not all(zoned):
        index = next(i for i, pool in enumerate(spec.pools) if pool.is_broker and pool.scheduling.zone is None)
        raise RuleError(
            f"pools[{index}].scheduling.zone",
            "is unset while other broker pools pin a zone; Kafka needs broker.rack on every broker or on none, "
            "so give every broker pool a zone (one pool per zone) or none",
        )


def _check_dynamic_quorum_pools(spec: ClusterSpec) -> None:
    """Initial controllers are the ordinals below quorum.initialControllers, so they need one controller pool."""
    names = [pool.name for pool in spec.controller_pools]
    if spec.is_dynamic_quorum and len(names) > 1:
        raise RuleError(
            "quorum.mode",
            f"dynamic with {len(names)} controller pools ({', '.join(names)}); allowed: "
            "exactly one pool with the role 'controller' in mode dynamic, or mode static",
        )


def _check_topic_defaults(spec: ClusterSpec) -> None:
    factor, min_isr = spec.replication_factor, spec.min_insync_replicas
    if factor > spec.broker_count:
        raise RuleError(
            "topicDefaults.replicationFactor",
            f"{factor} is above the broker count ({spec.broker_count}); allowed: 1-{spec.broker_count}",
        )
    if min_isr >= factor and not (factor == 1 and min_isr == 1):
        raise RuleError(
            "topicDefaults.minInsyncReplicas",
            f"{min_isr} must be below the replication factor ({factor}), or 1 when the factor is 1; "
            "otherwise one lost replica stops every acks=all write",
        )


def parse_spec(data: Any, key: str = "kraft:cluster") -> ClusterSpec:
    """Validate raw config into a ClusterSpec, or raise InvalidSpec naming every bad key under `key`."""
    try:
        return ClusterSpec.model_validate(data if data is not None else {})
    except ValidationError as error:
        raise InvalidSpec(describe_errors(error, key)) from None


def parse_cluster_id(value: str, key: str = "kraft:clusterId") -> str:
    """Check an adopted cluster ID: 22 characters of base64url, as `kafka-storage.sh random-uuid` prints."""
    if not CLUSTER_ID.match(value):
        raise InvalidSpec(
            f"{key}: {len(value)} characters that are not a KRaft cluster ID; allowed: exactly 22 characters "
            "of A-Z, a-z, 0-9, '-' and '_' (the cluster.id line of an existing volume's meta.properties)"
        )
    return value


def describe_errors(error: ValidationError, key: str) -> str:
    """One line per problem: the full key path, then what is wrong and what is allowed."""
    lines = []
    for problem in error.errors():
        location = list(problem["loc"])
        cause = problem.get("ctx", {}).get("error")
        path = _key_path(key, location)
        if isinstance(cause, RuleError):
            path = f"{path}.{cause.path}" if cause.path else path
            message = str(cause)
        elif problem["type"] == "extra_forbidden":
            allowed = _allowed_keys(location[:-1])
            message = f"unknown key; allowed keys here: {', '.join(allowed)}"
        else:
            message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{path}: {message}")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def _key_path(key: str, location: list[int | str]) -> str:
    path = key + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location if part != "[key]")
    return f"{path} (the key)" if location[-1:] == ["[key]"] else path


def _allowed_keys(location: list[int | str]) -> list[str]:
    """The camelCase keys of the model found at `location`."""
    model: type[BaseModel] = ClusterSpec
    for part in location:
        if isinstance(part, int):
            continue
        field = next(f for name, f in model.model_fields.items() if part in (name, f.alias))
        model = _model_of(field.annotation)
    return sorted(f.alias or name for name, f in model.model_fields.items())


def _model_of(annotation: Any) -> type[BaseModel]:
    """The model inside `Model`, `list[Model]` or `Model | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        try:
            return _model_of(argument)
        except LookupError:
            continue
    raise LookupError(annotation)
