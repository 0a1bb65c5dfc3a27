"""The validated, frozen cluster specification: everything downstream trusts it.

Stack config (`kraft:cluster`) and component args are parsed here once, at the edge. Every error names
the key path (`kraft:cluster.pools[0].replicas`) and, for closed sets, the allowed values.
"""

import json
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.alias_generators import to_camel

from . import naming
from .kafka_release import supported_versions, topic_setting_problem
from .quantity import QUANTITY, parse_quantity, quantity_text
from .quorum_mode import QuorumMode as QuorumMode  # noqa: PLC0414 (re-exported: the spec's vocabulary)

KAFKA_VERSIONS = supported_versions()  # one per extracted ConfigDef data file (data/kafka/<version>.json)
DEFAULT_KAFKA_VERSION = "4.4.0"
MIN_MEMORY_LIMIT = "1Gi"
CLUSTER_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
KAFKA_INT_MAX = 2**31 - 1  # node.id and num.partitions are Java ints
_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_METADATA_VERSION = re.compile(r"^(?P<major>[3-9])\.(?P<minor>\d{1,2})(-IV(?P<iv>\d{1,2}))?$")
JBOD_METADATA_VERSION = (3, 7, 2)  # 3.7-IV2: brokers assign partitions to log directories (KIP-858)
_IMAGE = re.compile(
    r"^[a-z0-9]([a-z0-9._-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$"
)
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_USER_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$")
_CIDR = re.compile(r"^[0-9a-fA-F:.]+/[0-9]{1,3}$")
_KAFKA_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_]+$")  # a key path part that needs no quotes
RESERVED_USERS = naming.BOOTSTRAPPED_USERS
NODE_PORT_RANGE = range(30000, 32768)  # the API server's default --service-node-port-range
CLUSTER_RESOURCE = "kafka-cluster"  # the only name of the cluster ACL resource
MAX_LOGGER_NAME = 256
MAX_ANNOTATION_BYTES = 128 * 1024  # half of what Kubernetes allows an object: kraft's own need the rest
_LOGGER_NAME = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INTEGER = re.compile(r"^-?[0-9]{1,18}$")
# One JVM flag, safe where kafka-run-class.sh splits the variable on spaces: no whitespace, quotes or shell syntax.
_JVM_FLAG = re.compile(r"^-[A-Za-z0-9][A-Za-z0-9:+=._/,@%*#-]*$")
_HEAP_FLAG = re.compile(
    r"^-(Xm[sx]|XX:(Max|Initial|Min)HeapSize=|XX:(Max|Initial|Min)RAM(Percentage|Fraction)=|XX:MaxRAM=)"
)
_GC_FLAG = re.compile(r"^-XX:[+-]Use[A-Za-z0-9]*GC$")
JVM_NON_HEAP = "256Mi"  # metaspace, thread stacks and network buffers live outside the heap, inside the limit
# Kafka's broker waits up to 5 minutes for the controller to approve its controlled shutdown
# (KafkaBroker.shutdown), then closes and flushes every log: the default lets it finish both.
DEFAULT_GRACE_SECONDS = 360
MIN_GRACE_SECONDS = 30
MAX_GRACE_SECONDS = 86400
KAFKA_SHORT_MAX = 2**15 - 1  # a replication factor is a Java short
MIN_INSYNC_REPLICAS = "min.insync.replicas"
# The JMX exporter's Java agent, from the image of a maintained project (README of docs/operations-metrics.md
# says why this one): an Alpine image with the agent jar of Prometheus's jmx_exporter at a fixed path.
DEFAULT_AGENT_IMAGE = "ghcr.io/adobe/koperator/jmx-javaagent:1.5.0"
DEFAULT_AGENT_JAR = "/jmx_prometheus_javaagent.jar"
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")  # Kafka's own rule (org.apache.kafka.common.internals.Topic)
_DURATION = re.compile(r"^(0|([0-9]+(ms|s|m|h|d|w|y))+)$")  # Prometheus's duration syntax
_ABSOLUTE_PATH = re.compile(r"^/[A-Za-z0-9._/-]+$")


class InvalidSpec(ValueError):
    """A spec that cannot be deployed; the message names every offending key."""


class RuleError(ValueError):
    """A cross-field rule broken at `path`, relative to the model that checks it."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path


class RuleErrors(ValueError):
    """Every problem one check found, reported one line each (a user fixes them in one go)."""

    def __init__(self, errors: list[RuleError]) -> None:
        super().__init__("; ".join(f"{error.path}: {error}" for error in errors))
        self.errors = errors


class Role(StrEnum):
    """What a node does: `process.roles` holds one or both."""

    BROKER = "broker"
    CONTROLLER = "controller"


class Spread(StrEnum):
    """How strictly pods of a pool are spread across a topology domain."""

    REQUIRED = "required"
    PREFERRED = "preferred"


class Profile(StrEnum):
    """How strict the topology rules are. production: dedicated controller and broker pools (Kafka advises
    against combined nodes for critical deployments) and an odd number of at least 3 controllers.
    development: anything that runs, for a disposable cluster."""

    PRODUCTION = "production"
    DEVELOPMENT = "development"


class Protocol(StrEnum):
    """A listener's security protocol: TLS or not, SASL/SCRAM authentication or not."""

    PLAINTEXT = "PLAINTEXT"
    SSL = "SSL"
    SASL_PLAINTEXT = "SASL_PLAINTEXT"
    SASL_SSL = "SASL_SSL"

    @property
    def uses_tls(self) -> bool:
        """Whether the listener encrypts with the cluster's certificate."""
        return self in (Protocol.SSL, Protocol.SASL_SSL)

    @property
    def uses_sasl(self) -> bool:
        """Whether clients authenticate with SASL/SCRAM-SHA-512."""
        return self in (Protocol.SASL_PLAINTEXT, Protocol.SASL_SSL)


class ControllerProtocol(StrEnum):
    """The controller listener's protocol. SSL means mutual TLS: SCRAM credentials live in the metadata log
    the controllers serve, so the quorum authenticates by certificate."""

    PLAINTEXT = "PLAINTEXT"
    SSL = "SSL"


class ExternalType(StrEnum):
    """How each broker is exposed outside Kubernetes: its own LoadBalancer or NodePort Service."""

    LOAD_BALANCER = "LoadBalancer"
    NODE_PORT = "NodePort"


class TlsSource(StrEnum):
    """Where the certificates come from: generated by the component (pulumi_tls), or cert-manager."""

    GENERATED = "generated"
    CERT_MANAGER = "certManager"


class IssuerKind(StrEnum):
    """The kind of a cert-manager issuer."""

    ISSUER = "Issuer"
    CLUSTER_ISSUER = "ClusterIssuer"


class AclResource(StrEnum):
    """What an ACL protects (kafka-acls.sh --topic, --group, --cluster, --transactional-id)."""

    TOPIC = "topic"
    GROUP = "group"
    CLUSTER = "cluster"
    TRANSACTIONAL_ID = "transactionalId"


class PatternType(StrEnum):
    """Whether an ACL's name is the exact resource name or a prefix of it."""

    LITERAL = "literal"
    PREFIXED = "prefixed"


class AclOperation(StrEnum):
    """An operation an ACL allows or denies (kafka-acls.sh --operation)."""

    ALL = "All"
    READ = "Read"
    WRITE = "Write"
    CREATE = "Create"
    DELETE = "Delete"
    ALTER = "Alter"
    DESCRIBE = "Describe"
    CLUSTER_ACTION = "ClusterAction"
    DESCRIBE_CONFIGS = "DescribeConfigs"
    ALTER_CONFIGS = "AlterConfigs"
    IDEMPOTENT_WRITE = "IdempotentWrite"


class Permission(StrEnum):
    """Whether an ACL allows or denies its operations."""

    ALLOW = "allow"
    DENY = "deny"


class TopicsDeletePolicy(StrEnum):
    """What happens to a topic that kraft created once it leaves `topics`: kept as it is, or deleted."""

    KEEP = "keep"
    DELETE = "delete"


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


def _quoted_version(example: str) -> BeforeValidator:
    """A version written as a YAML number (`4.3`) arrives as a float that may have lost digits (`4.10` is 4.1):
    refuse it with the hint to quote it."""

    def text_only(value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError(
                f'{value} is a number (YAML reads unquoted digits and dots as one); quote it, for example "{example}"'
            )
        return value

    return BeforeValidator(text_only)


def json_pattern(regex: re.Pattern[str]) -> str:
    """A Python regex as JSON Schema (ECMA-262) writes it: named groups become plain groups."""
    return re.sub(r"\?P<\w+>", "", regex.pattern)


def _described(title: str, **schema: Any) -> WithJsonSchema:
    """What an editor knows of a string the validators check: its name and, where a pattern says it, its form."""
    return WithJsonSchema({"title": title, "type": "string", **schema})


def _kafka_version(value: str) -> str:
    if value not in KAFKA_VERSIONS:
        raise ValueError(f"{value!r} is not a supported Kafka version; allowed: {', '.join(KAFKA_VERSIONS)}")
    return value


def _user_name(value: str) -> str:
    if not _USER_NAME.match(value):
        raise ValueError(
            f"{value!r} is not a user name; allowed: 1-40 lower-case letters, digits and '-', starting with a letter "
            "(it also names the user's Secret)"
        )
    if value in RESERVED_USERS:
        raise ValueError(f"{value!r} is reserved for the cluster itself; reserved: {', '.join(RESERVED_USERS)}")
    return value


def _topic_name(value: str) -> str:
    if not _TOPIC_NAME.match(value) or value in (".", ".."):
        raise ValueError(
            f"{value!r} is not a topic name; allowed: 1-249 letters, digits, '.', '_' and '-', not '.' or '..'"
        )
    if value.startswith("__"):
        raise ValueError(f"{value!r} starts with '__', which Kafka keeps for its internal topics")
    return value


def _topic_config_value(value: Any) -> Any:
    """A topic config value as Kafka reads it: YAML's true, 3 and 0.5 become "true", "3" and "0.5", and a whole
    number that came through Pulumi's wire as a float (604800000.0) its integer's text."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value


def _config_text(value: str) -> str:
    if any(ord(char) < 0x20 for char in value):
        raise ValueError(f"{value!r} holds a control character (a tab or a line break)")
    return value


def _duration(value: str) -> str:
    if not _DURATION.match(value):
        raise ValueError(f"{value!r} is not a Prometheus duration such as 30s, 1m or 1m30s")
    return value


def _absolute_path(value: str) -> str:
    if not _ABSOLUTE_PATH.match(value):
        raise ValueError(f"{value!r} is not an absolute path of letters, digits, '.', '_', '-' and '/'")
    return value


def _kafka_key(value: str) -> str:
    if not _KAFKA_KEY.match(value):
        raise ValueError(f"{value!r} is not a Kafka configuration key; allowed: letters, digits, '.', '_' and '-'")
    return value


def _kafka_value(value: Any) -> Any:
    """One error for a value of no Kafka shape, rather than one per member of the union."""
    scalars = (str, int, float, bool)
    if isinstance(value, scalars) or (isinstance(value, list) and all(isinstance(item, scalars) for item in value)):
        return value
    raise ValueError(f"{value!r} is not a Kafka value; allowed: a string, number, boolean or a list of those")


def _host_pattern(value: str) -> str:
    if value.count("{nodeId}") != 1:
        raise ValueError(f"{value!r} must contain {{nodeId}} exactly once, so every broker has its own host")
    _dns_subdomain(value.replace("{nodeId}", "0"))
    return value


def _own_key(value: str) -> str:
    if value in naming.SELECTED_LABELS or value.startswith(naming.RESERVED_KEY_PREFIXES):
        raise ValueError(
            f"{value!r} is kraft's own (its selectors match it, or the component and its tools read it); "
            f"reserved: {', '.join(naming.SELECTED_LABELS)} and every key under "
            f"{', '.join(naming.RESERVED_KEY_PREFIXES)}"
        )
    return value


def _env_name(value: str) -> str:
    if not _ENV_NAME.match(value):
        raise ValueError(f"{value!r} is not a variable name; allowed: letters, digits and '_', not first a digit")
    if value in naming.RESERVED_ENV or value.startswith(naming.RESERVED_ENV_PREFIX):
        raise ValueError(
            f"{value!r} is set by kraft; reserved: {naming.RESERVED_ENV_PREFIX}* and "
            f"{', '.join(naming.RESERVED_ENV)} (the heap, collector and JVM flags are template.jvm, log levels "
            "are logging)"
        )
    return value


def _jvm_flag(value: str) -> str:
    if not _JVM_FLAG.match(value):
        raise ValueError(
            f"{value!r} is not one JVM flag; allowed: '-' then letters, digits and :+=._/,@%*#- (no spaces or "
            "quotes: one flag per entry)"
        )
    if _HEAP_FLAG.match(value):
        raise ValueError(f"{value!r} sizes the heap; set template.jvm.heap instead (a quantity such as 3Gi)")
    if _GC_FLAG.match(value):
        raise ValueError(f"{value!r} chooses the collector; set template.jvm.gc instead (allowed: G1, ZGC)")
    return value


def _whole_mebibytes(value: str | None) -> str | None:
    if value is not None and parse_quantity(value) < 2**20:
        raise ValueError(f"{value} is below 1Mi; the JVM sizes its heap in whole mebibytes")
    return value


def _grace_period(value: int | None) -> int | None:
    if value is not None and not MIN_GRACE_SECONDS <= value <= MAX_GRACE_SECONDS:
        raise ValueError(
            f"{value} is outside {MIN_GRACE_SECONDS}-{MAX_GRACE_SECONDS}: a stopping broker first has the controller "
            "move its leadership away, then closes every log; cut short, every roll forces leader elections by "
            "timeout and log recovery at the next start"
        )
    return value


DnsLabel = Annotated[str, AfterValidator(_dns_label), _described("DNS label", pattern=_DNS_LABEL.pattern, maxLength=63)]
DnsSubdomain = Annotated[
    str, AfterValidator(_dns_subdomain), _described("DNS subdomain", pattern=_DNS_SUBDOMAIN.pattern, maxLength=253)
]
ImageRef = Annotated[str, AfterValidator(_image), _described("image reference", pattern=_IMAGE.pattern)]
MetadataVersion = Annotated[
    str,
    _quoted_version("4.4"),
    AfterValidator(_metadata_version),
    _described("metadata version", pattern=json_pattern(_METADATA_VERSION)),
]
LabelKey = Annotated[str, AfterValidator(_label_key), _described("label key")]
LabelValue = Annotated[str, AfterValidator(_label_value), _described("label value", maxLength=63)]
# Kubernetes takes a quantity as a string or a number: `cpu: 1`, `cpu: 0.5`, `memory: 1073741824`.
Quantity = Annotated[
    str,
    BeforeValidator(quantity_text),
    AfterValidator(_quantity),
    WithJsonSchema(
        {
            "title": "Kubernetes quantity",
            "anyOf": [{"type": "string", "pattern": json_pattern(QUANTITY)}, {"type": "number", "minimum": 0}],
        }
    ),
]
KafkaVersion = Annotated[
    str,
    _quoted_version(DEFAULT_KAFKA_VERSION),
    AfterValidator(_kafka_version),
    _described("Kafka version", enum=list(KAFKA_VERSIONS)),
]
UserName = Annotated[str, AfterValidator(_user_name), _described("user name", pattern=_USER_NAME.pattern)]
HostPattern = Annotated[str, AfterValidator(_host_pattern), _described("host pattern with {nodeId}")]
TopicName = Annotated[str, AfterValidator(_topic_name), _described("topic name", pattern=_TOPIC_NAME.pattern)]
# A topic config value: YAML's true, 3 and 0.5 are read as Kafka's text "true", "3" and "0.5".
TopicConfigValue = Annotated[
    str,
    BeforeValidator(_topic_config_value),
    AfterValidator(_config_text),
    WithJsonSchema({"title": "topic config value", "type": ["string", "number", "boolean"]}),
]
Duration = Annotated[str, AfterValidator(_duration), _described("Prometheus duration", pattern=_DURATION.pattern)]
AbsolutePath = Annotated[
    str, AfterValidator(_absolute_path), _described("absolute path", pattern=_ABSOLUTE_PATH.pattern)
]
KafkaScalar = str | int | float | bool
KafkaValue = Annotated[KafkaScalar | list[KafkaScalar], BeforeValidator(_kafka_value)]
_KAFKA_SCALARS = ["string", "number", "boolean"]
KafkaConfig = Annotated[
    dict[Annotated[str, AfterValidator(_kafka_key)], KafkaValue],
    WithJsonSchema(
        {
            "type": "object",
            "propertyNames": {"pattern": _KAFKA_KEY.pattern},
            "additionalProperties": {
                "title": "string, number, boolean or list",
                "anyOf": [{"type": _KAFKA_SCALARS}, {"type": "array", "items": {"type": _KAFKA_SCALARS}}],
            },
        }
    ),
]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True, use_enum_values=False
    )


class ComputeResources(_Model):
    """CPU and memory, as Kubernetes quantities."""

    cpu: Quantity = Field(description="CPU, for example `500m`, `2` or `0.5`.")
    memory: Quantity = Field(description="Memory, for example `2Gi` or `1073741824` (bytes).")


class Resources(_Model):
    """Requests and limits of the Kafka container. The JVM heap is half the memory limit, at most 5 GiB; the
    rest is the page cache."""

    requests: ComputeResources = Field(
        default=ComputeResources(cpu="500m", memory="2Gi"),
        description="What the scheduler reserves for each pod; at most the limits.",
    )
    limits: ComputeResources = Field(
        default=ComputeResources(cpu="2", memory="2Gi"),
        description=f"The most each pod may use; the memory limit is at least {MIN_MEMORY_LIMIT}.",
    )

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


class _Sized(_Model):
    """A data volume's size and class, and the size its claim template was created with."""

    size: Quantity = Field(default="20Gi", description="Size of the volume of each node; it can grow, never shrink.")
    storage_class: DnsSubdomain | None = Field(
        default=None, description="StorageClass of the volumes; unset: the cluster's default class."
    )
    template_size: Quantity | None = Field(
        default=None,
        description="The size the pool's StatefulSet was created with, which Kubernetes never lets change; set it "
        "to grow volumes (docs/operations.md, 'Growing volumes'). Unset: `size`.",
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


def _volume_name(value: str) -> str:
    if value in naming.POD_VOLUMES:
        raise ValueError(f"{value!r} names another volume of the pod; reserved: {', '.join(naming.POD_VOLUMES)}")
    return value


class Volume(_Sized):
    """One data volume of each node (JBOD): a claim template, mounted as its own Kafka log directory."""

    name: Annotated[DnsLabel, AfterValidator(_volume_name)] = Field(
        description="The claim template's name: claims are <name>-<statefulset>-<ordinal>, the log directory "
        f"{naming.DATA_ROOT}/<name>/logs. The single-volume form is the volume `data`."
    )
    size: Quantity = Field(description="Size of the volume of each node.")


_SINGLE_VOLUME_KEYS = {"size": "size", "storage_class": "storageClass", "template_size": "templateSize"}


class Storage(_Sized):
    """The data volumes of each node: one (`size`, `storageClass`, `templateSize`), or several (`volumes`)."""

    volumes: list[Volume] = Field(
        default=[],
        description="Several data volumes (JBOD, broker pools only), each its own log directory; the first also "
        "holds the metadata log. Replaces size, storageClass and templateSize, which describe the volume `data`.",
    )
    acknowledge_volumes: list[DnsLabel] | None = Field(
        default=None,
        description="Allows adding or removing a volume of a deployed pool: the pool's volume names after the "
        "change, once its StatefulSet was deleted with --cascade=orphan (docs/tailoring.md).",
    )

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        mixed = [key for field, key in _SINGLE_VOLUME_KEYS.items() if field in self.model_fields_set]
        if self.volumes and mixed:
            raise RuleError(
                "volumes",
                f"cannot be combined with storage.{', storage.'.join(mixed)}, which describe the single volume "
                "`data`; allowed: either those keys (one volume) or volumes (each with its own size, storageClass "
                "and templateSize; keep `data` first to keep an existing pool's volume)",
            )
        names = [volume.name for volume in self.volumes]
        twice = next((index for index, name in enumerate(names) if name in names[:index]), None)
        if twice is not None:
            raise RuleError(f"volumes[{twice}].name", f"{names[twice]!r} names two volumes; names must be unique")
        return self

    @property
    def data_volumes(self) -> list[Volume]:
        """Every data volume, the one holding the metadata log first."""
        if self.volumes:
            return list(self.volumes)
        return [
            Volume(
                name=naming.DATA_VOLUME,
                size=self.size,
                storage_class=self.storage_class,
                template_size=self.template_size,
            )
        ]

    def key_of(self, index: int) -> str:
        """The config key (below the pool) that describes data volume `index`."""
        return f"storage.volumes[{index}]" if self.volumes else "storage"


class Scheduling(_Model):
    """Where the pods of a pool may run."""

    zone: LabelValue | None = Field(
        default=None,
        description="Pin the pool to one zone (`topology.kubernetes.io/zone`); its brokers get `broker.rack=<zone>`. "
        "Rack awareness: one broker pool per zone, and every broker pool or none pins a zone.",
    )
    zone_spread: Spread = Field(
        default=Spread.PREFERRED, description="How strictly the pods spread over `topology.kubernetes.io/zone`."
    )
    host_spread: Spread = Field(
        default=Spread.REQUIRED, description="How strictly the pods spread over `kubernetes.io/hostname`."
    )
    node_selector: dict[LabelKey, LabelValue] = Field(default={}, description="Node labels the pods require.")


class LogLevel(StrEnum):
    """A logger's level, as log4j names them (log4j 1 for Kafka 3.9, log4j2 for 4.x), from none to all."""

    OFF = "OFF"
    FATAL = "FATAL"
    ERROR = "ERROR"
    WARN = "WARN"
    INFO = "INFO"
    DEBUG = "DEBUG"
    TRACE = "TRACE"
    ALL = "ALL"


def _logger_name(value: str) -> str:
    if len(value) > MAX_LOGGER_NAME or not _LOGGER_NAME.match(value):
        raise ValueError(
            f"{value!r} is not a logger name; allowed: Java names separated by dots, such as kafka.controller "
            "or org.apache.kafka.raft"
        )
    return value


LoggerName = Annotated[str, AfterValidator(_logger_name)]


class Logging(_Model):
    """Log levels of the nodes. Kafka logs to the console only; these decide how much."""

    root: LogLevel | None = Field(
        default=None,
        description="The root logger's level, for every logger without its own. Unset: INFO (a pool: the cluster's).",
    )
    loggers: dict[LoggerName, LogLevel] = Field(
        default={}, description="Levels of single loggers and their descendants, e.g. {kafka.controller: DEBUG}."
    )

    def over(self, base: "Logging") -> "Logging":
        """These levels where set, `base`'s elsewhere: the root if unset, every logger not named here."""
        return Logging(root=self.root or base.root, loggers=base.loggers | self.loggers)


class TolerationOperator(StrEnum):
    """How a toleration matches a taint's value."""

    EQUAL = "Equal"
    EXISTS = "Exists"


class TaintEffect(StrEnum):
    """What a taint does to pods that do not tolerate it."""

    NO_SCHEDULE = "NoSchedule"
    PREFER_NO_SCHEDULE = "PreferNoSchedule"
    NO_EXECUTE = "NoExecute"


class Toleration(_Model):
    """A node taint the pods tolerate."""

    key: LabelKey | None = Field(
        default=None, description="The taint's key; unset (with operator Exists) tolerates every taint."
    )
    operator: TolerationOperator = Field(
        default=TolerationOperator.EQUAL, description="Equal (the value matches) or Exists (any value)."
    )
    value: LabelValue | None = Field(default=None, description="The taint's value, with operator Equal.")
    effect: TaintEffect | None = Field(
        default=None, description="NoSchedule, PreferNoSchedule or NoExecute; unset matches every effect."
    )
    toleration_seconds: Annotated[int | None, Field(ge=0)] = Field(
        default=None, description="NoExecute only: how long a pod stays on a node once tainted; unset is forever."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.key is None and self.operator is TolerationOperator.EQUAL:
            raise RuleError("operator", "must be Exists without a key (tolerating every taint); or set key")
        if self.operator is TolerationOperator.EXISTS and self.value:
            raise RuleError("value", "must be unset with operator Exists; allowed: operator Equal with a value")
        if self.toleration_seconds is not None and self.effect is not TaintEffect.NO_EXECUTE:
            raise RuleError("tolerationSeconds", "applies to effect NoExecute only; set effect: NoExecute")
        return self


class SelectorOperator(StrEnum):
    """How a pod label selector's requirement matches a label."""

    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"


class NodeSelectorOperator(StrEnum):
    """How a node selector's requirement matches a node label (Gt and Lt compare integers)."""

    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"
    GT = "Gt"
    LT = "Lt"


def _check_requirement(operator: str, values: list[str]) -> None:
    """The values each operator takes, as the API server checks them."""
    if operator in ("In", "NotIn") and not values:
        raise RuleError("values", f"must list at least one value with operator {operator}")
    if operator in ("Exists", "DoesNotExist") and values:
        raise RuleError("values", f"must be empty with operator {operator}")
    if operator in ("Gt", "Lt") and (len(values) != 1 or not _INTEGER.match(values[0])):
        raise RuleError("values", f"must be exactly one integer with operator {operator}")


class NodeSelectorRequirement(_Model):
    """A condition on a node label."""

    key: LabelKey = Field(description="The node label's key.")
    operator: NodeSelectorOperator = Field(description="In, NotIn, Exists, DoesNotExist, Gt or Lt.")
    values: list[LabelValue] = Field(
        default=[], description="In/NotIn: one or more; Exists/DoesNotExist: none; Gt/Lt: one integer."
    )

    @model_validator(mode="after")
    def _values_fit_operator(self) -> Self:
        _check_requirement(self.operator.value, self.values)
        return self


class NodeSelectorTerm(_Model):
    """Node label conditions that must all hold."""

    match_expressions: Annotated[list[NodeSelectorRequirement], Field(min_length=1)] = Field(
        description="The conditions, all of which a node must meet."
    )


class PreferredNodeTerm(_Model):
    """Node label conditions the scheduler prefers, with a weight."""

    weight: Annotated[int, Field(ge=1, le=100)] = Field(description="1-100; added to a node's score if it matches.")
    preference: NodeSelectorTerm = Field(description="The conditions.")


class NodeAffinity(_Model):
    """Which nodes the pods may and should run on, beyond scheduling.nodeSelector (Kubernetes' nodeAffinity)."""

    required: list[NodeSelectorTerm] = Field(
        default=[], description="The pods run only on nodes that meet one of these terms (terms are alternatives)."
    )
    preferred: list[PreferredNodeTerm] = Field(default=[], description="Terms the scheduler prefers.")


class LabelSelectorRequirement(_Model):
    """A condition on a pod label."""

    key: LabelKey = Field(description="The pod label's key.")
    operator: SelectorOperator = Field(description="In, NotIn, Exists or DoesNotExist.")
    values: list[LabelValue] = Field(default=[], description="In/NotIn: one or more; Exists/DoesNotExist: none.")

    @model_validator(mode="after")
    def _values_fit_operator(self) -> Self:
        _check_requirement(self.operator.value, self.values)
        return self


class LabelSelector(_Model):
    """Pods, by their labels."""

    match_labels: dict[LabelKey, LabelValue] = Field(default={}, description="Labels the pods have.")
    match_expressions: list[LabelSelectorRequirement] = Field(default=[], description="Conditions on labels.")

    @model_validator(mode="after")
    def _selects_some_pods(self) -> Self:
        if not self.match_labels and not self.match_expressions:
            raise RuleError("", "selects every pod; allowed: matchLabels, matchExpressions or both")
        return self


class PodAffinityTerm(_Model):
    """Pods to keep away from, within a topology domain."""

    label_selector: LabelSelector = Field(description="The pods to keep away from.")
    topology_key: LabelKey = Field(
        description="The node label that defines the domain, e.g. kubernetes.io/hostname or topology.kubernetes.io/zone."
    )
    namespaces: list[DnsLabel] = Field(default=[], description="Where those pods run; default the cluster's namespace.")


class PreferredPodTerm(_Model):
    """A pod anti-affinity term the scheduler prefers, with a weight."""

    weight: Annotated[int, Field(ge=1, le=100)] = Field(description="1-100; added to a node's score if it holds.")
    pod_affinity_term: PodAffinityTerm = Field(description="The term.")


class PodAntiAffinity(_Model):
    """Other pods the nodes keep away from, besides the spreading of scheduling.zoneSpread and hostSpread."""

    required: list[PodAffinityTerm] = Field(default=[], description="Terms that must all hold.")
    preferred: list[PreferredPodTerm] = Field(default=[], description="Terms the scheduler prefers.")


class ObjectMetadata(_Model):
    """Labels and annotations added to kraft's own on objects of one kind; the keys kraft selects on or reads are
    refused (docs/tailoring.md, 'What stays kraft's')."""

    labels: dict[Annotated[LabelKey, AfterValidator(_own_key)], LabelValue] = Field(
        default={}, description="Labels; may override app.kubernetes.io/part-of and managed-by."
    )
    annotations: dict[Annotated[LabelKey, AfterValidator(_own_key)], str] = Field(
        default={}, description="Annotations."
    )

    @model_validator(mode="after")
    def _annotations_fit(self) -> Self:
        size = sum(len(key) + len(value.encode()) for key, value in self.annotations.items())
        if size > MAX_ANNOTATION_BYTES:
            raise RuleError(
                "annotations",
                f"hold {size} bytes; allowed: at most {MAX_ANNOTATION_BYTES} (Kubernetes allows 256 KiB an object, "
                "kraft's own included)",
            )
        return self

    def over(self, base: "ObjectMetadata") -> "ObjectMetadata":
        """`base`'s labels and annotations with these added, these winning on a key both set."""
        return ObjectMetadata(labels=base.labels | self.labels, annotations=base.annotations | self.annotations)


class EnvVar(_Model):
    """An environment variable of the Kafka container."""

    name: Annotated[str, AfterValidator(_env_name)] = Field(
        description="A shell variable name; not one kraft sets (KRAFT_*, KAFKA_HEAP_OPTS, ...)."
    )
    value: str = Field(default="", description="Its value.")


class GarbageCollector(StrEnum):
    """The JVM's collector: G1 with Kafka's own tuning, or ZGC (generational from Java 23, or with
    -XX:+ZGenerational in extraFlags on Java 21)."""

    G1 = "G1"
    ZGC = "ZGC"


class Jvm(_Model):
    """The Kafka JVM: collector, heap and extra flags."""

    gc: GarbageCollector | None = Field(
        default=None, description="The collector: G1 (with Kafka's own tuning) or ZGC. Unset: G1."
    )
    heap: Annotated[Quantity | None, AfterValidator(_whole_mebibytes)] = Field(
        default=None,
        description=f"The heap (-Xms and -Xmx), a quantity such as 3Gi, at most the memory limit minus {JVM_NON_HEAP}. "
        "Unset: half the memory limit, at most 5Gi.",
    )
    extra_flags: list[Annotated[str, AfterValidator(_jvm_flag)]] = Field(
        default=[],
        description="More JVM flags, one per entry, after kraft's (the last of a repeated flag wins); not the heap "
        "or the collector, which have their own keys.",
    )

    def over(self, base: "Jvm") -> "Jvm":
        """These settings where set, `base`'s elsewhere; `base`'s extra flags first, so these win."""
        return Jvm(gc=self.gc or base.gc, heap=self.heap or base.heap, extra_flags=base.extra_flags + self.extra_flags)


class PodTemplate(_Model):
    """How the pods of a pool are shaped and scheduled. The cluster-level `template` is every pool's default; a
    pool's own `template` is merged over it (docs/tailoring.md, 'Merging')."""

    tolerations: list[Toleration] = Field(default=[], description="Node taints the pods tolerate.")
    node_affinity: NodeAffinity = Field(default=NodeAffinity(), description="Nodes the pods may and should run on.")
    pod_anti_affinity: PodAntiAffinity = Field(
        default=PodAntiAffinity(), description="Other pods the nodes keep away from."
    )
    priority_class_name: DnsSubdomain | None = Field(default=None, description="The pods' PriorityClass.")
    image_pull_secrets: list[DnsSubdomain] = Field(
        default=[], description="Names of Secrets to pull the image with (a private registry)."
    )
    service_account_name: DnsSubdomain | None = Field(
        default=None,
        description="The pods' ServiceAccount; its token is still not mounted. Unset: the namespace's `default`.",
    )
    termination_grace_period_seconds: Annotated[int | None, AfterValidator(_grace_period)] = Field(
        default=None,
        description=f"How long a stopping node may take, {MIN_GRACE_SECONDS}-{MAX_GRACE_SECONDS} seconds: a "
        "controlled shutdown moves leadership away, then every log is closed. Unset: "
        f"{DEFAULT_GRACE_SECONDS} (Kafka waits up to 300 s for the controller).",
    )
    env: list[EnvVar] = Field(default=[], description="More environment variables of the Kafka container.")
    jvm: Jvm = Field(default=Jvm(), description="The JVM's collector, heap and extra flags.")
    pod: ObjectMetadata = Field(default=ObjectMetadata(), description="Labels and annotations of the pods.")
    stateful_set: ObjectMetadata = Field(
        default=ObjectMetadata(), description="Labels and annotations of the StatefulSet (never roll the pods)."
    )
    service: ObjectMetadata = Field(
        default=ObjectMetadata(),
        description="Labels and annotations of the Services (cluster level: all; a pool's: its brokers' external "
        "Services); never roll the pods.",
    )

    @model_validator(mode="after")
    def _distinct_env(self) -> Self:
        names = [variable.name for variable in self.env]
        twice = next((index for index, name in enumerate(names) if name in names[:index]), None)
        if twice is not None:
            raise RuleError(f"env[{twice}].name", f"{names[twice]!r} is set twice")
        return self

    def over(self, base: "PodTemplate") -> "PodTemplate":
        """This (a pool's) template merged over `base` (the cluster's): single values where set here, maps key by
        key and env by name with these winning, lists appended after `base`'s, except `nodeAffinity.required`,
        which replaces `base`'s when set here: its terms are alternatives, so appending would widen them."""
        required = self.node_affinity.required or base.node_affinity.required
        env = {variable.name: variable for variable in base.env} | {variable.name: variable for variable in self.env}
        return PodTemplate(
            tolerations=base.tolerations + self.tolerations,
            node_affinity=NodeAffinity(
                required=required, preferred=base.node_affinity.preferred + self.node_affinity.preferred
            ),
            pod_anti_affinity=PodAntiAffinity(
                required=base.pod_anti_affinity.required + self.pod_anti_affinity.required,
                preferred=base.pod_anti_affinity.preferred + self.pod_anti_affinity.preferred,
            ),
            priority_class_name=self.priority_class_name or base.priority_class_name,
            image_pull_secrets=list(dict.fromkeys(base.image_pull_secrets + self.image_pull_secrets)),
            service_account_name=self.service_account_name or base.service_account_name,
            termination_grace_period_seconds=self.termination_grace_period_seconds
            or base.termination_grace_period_seconds,
            env=list(env.values()),
            jvm=self.jvm.over(base.jvm),
            pod=self.pod.over(base.pod),
            stateful_set=self.stateful_set.over(base.stateful_set),
            service=self.service.over(base.service),
        )


class PoolSpec(_Model):
    """A pool: a StatefulSet `<name>-<pool>` of identical nodes, with its PodDisruptionBudget."""

    name: DnsLabel = Field(description="The pool's name; the StatefulSet is `<name>-<pool>` (at most 52 characters).")
    roles: Annotated[list[Role], Field(min_length=1, max_length=2)] = Field(
        description="`[broker]`, `[controller]`, or both (combined nodes: profile `development` only)."
    )
    replicas: Annotated[int, Field(ge=1, le=1000)] = Field(description="How many nodes the pool runs.")
    node_id_offset: Annotated[int | None, Field(ge=0)] = Field(
        default=None,
        description="`node.id` of ordinal 0; the pools' ranges may not overlap. Never change it once volumes exist. "
        "Unset: the next free multiple of 100, controller pools from 0, broker-only pools from 100.",
    )
    resources: Resources = Field(default=Resources(), description="Requests and limits of the Kafka container.")
    storage: Storage = Field(default=Storage(), description="The data volumes of each node.")
    scheduling: Scheduling = Field(default=Scheduling(), description="Where the pods may run.")
    startup_timeout_seconds: Annotated[int, Field(ge=30, le=86400)] = Field(
        default=900, description="How long a node may take to start (log recovery) before it is restarted."
    )
    acknowledge_scale_down_to: Annotated[int | None, Field(ge=0)] = Field(
        default=None,
        description="Allows shrinking a broker pool (partitions moved away first) or a dynamic controller pool "
        "(controllers removed from the quorum first) to exactly this size (docs/operations.md).",
    )
    template: PodTemplate = Field(
        default=PodTemplate(), description="This pool's pod template, merged over the cluster-level template."
    )
    logging: Logging = Field(default=Logging(), description="This pool's log levels, over the cluster's.")
    kafka_config: KafkaConfig = Field(
        default={},
        description="Kafka settings (`server.properties` keys) for this pool's nodes, over the cluster's "
        "`kafkaConfig`; checked like it (docs/tailoring.md).",
    )

    @model_validator(mode="after")
    def _distinct_roles(self) -> Self:
        if len(set(self.roles)) != len(self.roles):
            raise RuleError("roles", f"lists a role twice; allowed: {', '.join(Role)}, each at most once")
        return self

    @model_validator(mode="after")
    def _one_metadata_volume(self) -> Self:
        if not self.is_broker and len(self.storage.data_volumes) > 1:
            raise RuleError(
                "storage.volumes",
                f"{len(self.storage.data_volumes)} volumes in a controller-only pool, which keeps only the metadata "
                "log; allowed: one (storage.size, or one entry of storage.volumes)",
            )
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

    namespace_labels: dict[LabelKey, LabelValue] | None = Field(
        default=None, description="Labels of the namespaces the pods run in; `{}` is every namespace."
    )
    pod_labels: dict[LabelKey, LabelValue] | None = Field(
        default=None, description="Labels of the pods; alone, pods of the cluster's own namespace."
    )

    @model_validator(mode="after")
    def _selects_something(self) -> Self:
        if self.namespace_labels is None and self.pod_labels is None:
            raise RuleError("", "names no pods; allowed: namespaceLabels, podLabels or both")
        return self


class Network(_Model):
    """Who may connect. The controller and inter-broker ports accept only the cluster's own pods."""

    clients_from: list[Peer] = Field(
        default=[],
        description="Pods that may reach the client port, besides the cluster's own; each entry admits "
        "the pods that match all its labels.",
    )


class PodMonitor(_Model):
    """A Prometheus Operator PodMonitor that has Prometheus scrape every node's metrics port."""

    enabled: bool = Field(
        default=False, description="Create the PodMonitor (needs the Prometheus Operator's CRDs in the cluster)."
    )
    labels: dict[LabelKey, LabelValue] = Field(
        default={}, description="Labels on the PodMonitor, to match your Prometheus's podMonitorSelector."
    )
    interval: Duration = Field(default="30s", description="How often Prometheus scrapes each node.")


class PrometheusRule(_Model):
    """A Prometheus Operator PrometheusRule with the alerts every Kafka cluster needs."""

    enabled: bool = Field(
        default=False, description="Create the PrometheusRule (needs the Prometheus Operator's CRDs in the cluster)."
    )
    labels: dict[LabelKey, LabelValue] = Field(
        default={}, description="Labels on the PrometheusRule, to match your Prometheus's ruleSelector."
    )
    disk_usage_percent: Annotated[int, Field(ge=1, le=99)] = Field(
        default=80, description="Alert when a node's data volume is fuller than this, in percent."
    )


class Metrics(_Model):
    """Prometheus metrics of every node, served by Prometheus's JMX exporter as a Java agent whose jar an init
    container copies from `agentImage`, so the official Kafka image stays as it is."""

    enabled: bool = Field(
        default=False,
        description="Serve Prometheus metrics on port 9404 (`metrics`) of every node. Changing it rolls every pod.",
    )
    agent_image: ImageRef = Field(
        default=DEFAULT_AGENT_IMAGE,
        description="An image that holds the JMX exporter's Java agent jar (name:tag, or name@sha256:<digest> to pin).",
    )
    agent_jar_path: AbsolutePath = Field(default=DEFAULT_AGENT_JAR, description="Where the agent jar is in agentImage.")
    scrape_from: list[Peer] = Field(
        default=[], description="Pods that may reach the metrics port (your Prometheus); nothing else may."
    )
    pod_monitor: PodMonitor = Field(default=PodMonitor(), description="A PodMonitor for the Prometheus Operator.")
    prometheus_rule: PrometheusRule = Field(
        default=PrometheusRule(), description="Alerting rules for the Prometheus Operator."
    )

    @model_validator(mode="after")
    def _operator_objects_need_metrics(self) -> Self:
        for key, wanted in (("podMonitor", self.pod_monitor.enabled), ("prometheusRule", self.prometheus_rule.enabled)):
            if wanted and not self.enabled:
                raise RuleError(f"{key}.enabled", "needs metrics.enabled: true; without it no node serves metrics")
        if self.pod_monitor.enabled and not self.scrape_from:
            raise RuleError(
                "scrapeFrom",
                "is empty, so the NetworkPolicy keeps Prometheus away from the metrics port the PodMonitor "
                "points it at; list your Prometheus pods (for example namespaceLabels: "
                "{kubernetes.io/metadata.name: monitoring})",
            )
        return self


class TopicDefaults(_Model):
    """Cluster-wide defaults for new topics and the internal topics; unset values follow the broker count."""

    partitions: Annotated[int, Field(ge=1, le=KAFKA_INT_MAX)] = Field(
        default=3, description="`num.partitions`: partitions of a topic created without a count."
    )
    replication_factor: Annotated[int | None, Field(ge=1)] = Field(
        default=None,
        description="`default.replication.factor` and the internal topics' replication; at most the broker count. "
        "Unset: 3, or the broker count if smaller.",
    )
    min_insync_replicas: Annotated[int | None, Field(ge=1)] = Field(
        default=None,
        description="`min.insync.replicas`: replicas an `acks=all` write needs; below the replication factor (1 "
        "when it is 1). Unset: the replication factor - 1, at least 1.",
    )


class Quorum(_Model):
    """The metadata quorum. Dynamic is the default: every supported Kafka (3.9+) has it, it lets the
    controller pool grow and shrink, and Kafka 4.3 deprecates the static `controller.quorum.voters`."""

    mode: QuorumMode = Field(
        default=QuorumMode.DYNAMIC,
        description="How controllers find the quorum; fixed when the cluster is created (docs/operations.md, "
        "'Quorum mode'). Dynamic needs exactly one controller pool.",
    )
    initial_controllers: Annotated[int | None, Field(ge=1)] = Field(
        default=None,
        description="Dynamic mode: the controllers (ordinals 0..n-1) that formed the quorum at creation. Fixed once "
        "deployed: set it before growing or shrinking the controller pool. Unset: the controller count.",
    )

    @model_validator(mode="after")
    def _initial_controllers_are_dynamic(self) -> Self:
        if self.initial_controllers is not None and self.mode is QuorumMode.STATIC:
            raise RuleError(
                "initialControllers",
                "applies to mode dynamic only; in mode static every controller is a voter from creation",
            )
        return self


def _external_protocol(value: Protocol) -> Protocol:
    if not value.uses_tls:
        raise ValueError(f"{value.value} is not encrypted; allowed for the external listener: SSL, SASL_SSL")
    return value


def _cidr(value: str) -> str:
    if not _CIDR.match(value):
        raise ValueError(f"{value!r} is not a CIDR such as 203.0.113.0/24")
    return value


class External(_Model):
    """Access from outside Kubernetes: one Service per broker, each advertised under its own host, TLS only."""

    type: ExternalType = Field(default=ExternalType.LOAD_BALANCER, description="The kind of each broker's Service.")
    protocol: Annotated[Protocol, AfterValidator(_external_protocol)] = Field(
        default=Protocol.SASL_SSL, description="`SSL` or `SASL_SSL`: the external listener is always encrypted."
    )
    host_pattern: HostPattern = Field(
        description="Each broker's external DNS name, with `{nodeId}` for its node ID: `kafka-{nodeId}.example.com`."
    )
    bootstrap_host: DnsSubdomain | None = Field(
        default=None, description="The DNS name of the external bootstrap Service, added to the certificate."
    )
    node_port_base: Annotated[int, Field(ge=NODE_PORT_RANGE.start, lt=NODE_PORT_RANGE.stop)] = Field(
        default=31000,
        description="NodePort: the bootstrap Service's node port; each broker's is this + 1 + its node ID.",
    )
    annotations: dict[LabelKey, str] = Field(
        default={}, description="Annotations on every external Service (cloud load-balancer settings)."
    )
    source_ranges: list[Annotated[str, AfterValidator(_cidr)]] = Field(
        default=["0.0.0.0/0"], description="CIDRs that may reach the external port."
    )


class Listeners(_Model):
    """The security protocol of each listener. The defaults are the secure ones: clients authenticate with
    SCRAM-SHA-512 over TLS, and brokers and controllers with mutual TLS."""

    client: Protocol = Field(
        default=Protocol.SASL_SSL, description="The client listener (port 9092); SASL is SCRAM-SHA-512."
    )
    internal: Protocol = Field(
        default=Protocol.SSL,
        description="The inter-broker listener (9094); `SSL` means mutual TLS. Fixed once deployed.",
    )
    controller: ControllerProtocol = Field(
        default=ControllerProtocol.SSL,
        description="The controller listener (9093); `SSL` means mutual TLS. Fixed once deployed.",
    )
    external: External | None = Field(
        default=None, description="Access from outside Kubernetes, each broker under its own host; unset: none."
    )

    @property
    def protocols(self) -> list[Protocol]:
        """The protocol of every configured listener (the controller's is one of Protocol's values)."""
        external = [self.external.protocol] if self.external else []
        return [self.client, self.internal, Protocol(self.controller.value), *external]

    @property
    def uses_tls(self) -> bool:
        """Whether any listener needs the cluster's certificate."""
        return any(protocol.uses_tls for protocol in self.protocols)

    @property
    def uses_sasl(self) -> bool:
        """Whether any listener authenticates with SCRAM."""
        return any(protocol.uses_sasl for protocol in self.protocols)


class Issuer(_Model):
    """A cert-manager issuer that signs the cluster's certificate and publishes its CA in `ca.crt`."""

    kind: IssuerKind = Field(default=IssuerKind.CLUSTER_ISSUER, description="The issuer's kind.")
    name: DnsSubdomain = Field(description="The issuer's name.")


class Tls(_Model):
    """The certificate every TLS listener presents, and the CA every node trusts."""

    source: TlsSource = Field(
        default=TlsSource.GENERATED,
        description="`generated`: a CA and a node certificate from pulumi_tls; `certManager`: a Certificate signed "
        "by `issuer`.",
    )
    issuer: Issuer | None = Field(
        default=None, description="certManager only: the issuer that signs; it must publish `ca.crt` (a CA issuer)."
    )
    validity_days: Annotated[int, Field(ge=7, le=3650)] = Field(
        default=365, description="The node certificate's lifetime."
    )
    renew_before_days: Annotated[int, Field(ge=1, le=3649)] = Field(
        default=30, description="How long before expiry the node certificate is renewed; below `validityDays`."
    )

    @model_validator(mode="after")
    def _issuer_for_cert_manager(self) -> Self:
        if self.source is TlsSource.CERT_MANAGER and self.issuer is None:
            raise RuleError("issuer", "is required with source certManager; set issuer.name (and issuer.kind)")
        if self.source is TlsSource.GENERATED and self.issuer is not None:
            raise RuleError("issuer", "applies to source certManager only; allowed sources: generated, certManager")
        if self.renew_before_days >= self.validity_days:
            raise RuleError("renewBeforeDays", f"must be below validityDays ({self.validity_days})")
        return self


class Acl(_Model):
    """One ACL of a user, applied with kafka-acls.sh."""

    resource_type: AclResource = Field(description="What the ACL protects.")
    name: Annotated[str, Field(min_length=1, max_length=249, pattern=r"^[A-Za-z0-9._*-]+$")] = Field(
        description=f"The resource's name or prefix; `*` is every resource, `{CLUSTER_RESOURCE}` the cluster."
    )
    pattern_type: PatternType = Field(
        default=PatternType.LITERAL, description="Whether `name` is the whole name or a prefix of it."
    )
    operations: Annotated[list[AclOperation], Field(min_length=1)] = Field(
        description="The operations allowed or denied."
    )
    permission: Permission = Field(default=Permission.ALLOW, description="Allow or deny the operations.")
    host: Annotated[str, Field(pattern=r"^(\*|[0-9a-fA-F:.]+)$")] = Field(
        default="*", description="The client address the ACL applies to; `*` is any."
    )

    @model_validator(mode="after")
    def _cluster_name(self) -> Self:
        if self.resource_type is AclResource.CLUSTER and self.name != CLUSTER_RESOURCE:
            raise RuleError("name", f"{self.name!r}: the cluster resource is always named {CLUSTER_RESOURCE!r}")
        if self.name == "*" and self.pattern_type is PatternType.PREFIXED:
            raise RuleError("patternType", "'*' already matches every name; allowed with it: literal")
        return self


class User(_Model):
    """An application user: SCRAM-SHA-512 credentials in its own Secret, and its ACLs."""

    name: UserName = Field(
        description="The user's name (1-40 lower-case letters, digits and '-'); its Secret is `<name>-user-<user>`."
    )
    acls: list[Acl] = Field(default=[], description="What the user may do.")


class Authorization(_Model):
    """Kafka's StandardAuthorizer: only super users and the ACLs of `users` are allowed anything."""

    enabled: bool = Field(
        default=True,
        description="Run the authorizer on every node; it needs an identity on every listener (SASL for clients, "
        "SSL or SASL between nodes, SSL on the controller listener).",
    )
    super_users: list[UserName] = Field(
        default=[],
        description="Users allowed everything, besides the nodes (`CN=<name>-node`), `kraft-internal` and "
        "`kraft-admin`.",
    )


class Topic(_Model):
    """A topic that kraft creates and keeps as declared."""

    name: TopicName = Field(description="The topic's name.")
    partitions: Annotated[int | None, Field(ge=1, le=KAFKA_INT_MAX)] = Field(
        default=None, description="Its partition count; it can grow, never shrink. Default topicDefaults.partitions."
    )
    replication_factor: Annotated[int | None, Field(ge=1, le=KAFKA_SHORT_MAX)] = Field(
        default=None,
        description="Replicas of each partition, at most the broker count; fixed once created. "
        "Default: the cluster's replication factor.",
    )
    config: dict[str, TopicConfigValue] = Field(
        default={},
        description="Topic-level configs (retention.ms, cleanup.policy, ...), checked against the Kafka release's "
        "topic ConfigDef. Keys kraft set and you remove are removed; keys set by hand are left alone.",
    )


def _default_pools() -> list[PoolSpec]:
    """Three dedicated controllers and three brokers: the smallest topology the production profile accepts."""
    return [
        PoolSpec(name="controllers", roles=[Role.CONTROLLER], replicas=3, node_id_offset=0),
        PoolSpec(name="brokers", roles=[Role.BROKER], replicas=3, node_id_offset=100),
    ]


class ClusterSpec(_Model):
    """A whole KRaft cluster: the value of the `kraft:cluster` stack key, or `KraftClusterArgs.spec`."""

    name: DnsLabel = Field(default="kafka", description="Prefix of every object's name.")
    profile: Profile = Field(
        default=Profile.PRODUCTION,
        description="`production`: dedicated controller and broker pools, and an odd number of at least 3 "
        "controllers. `development`: anything that runs (the dev stack's combined nodes).",
    )
    namespace: DnsLabel = Field(default="kafka", description="Namespace of every object.")
    create_namespace: bool = Field(
        default=True,
        description="Create the namespace, with the restricted Pod Security Standard; `pulumi destroy` keeps it.",
    )
    kafka_version: KafkaVersion = Field(
        default=DEFAULT_KAFKA_VERSION,
        description=f'The Kafka release every node runs (quote it: `"{DEFAULT_KAFKA_VERSION}"`).',
    )
    image: ImageRef | None = Field(
        default=None,
        description="Another registry's copy of the official image (`name:tag` or `name@sha256:...`). Unset: "
        "`apache/kafka:<kafkaVersion>`.",
    )
    metadata_version: MetadataVersion | None = Field(
        default=None,
        description='Finalise `metadata.version` at this release (`"4.4"` or `"4.4-IV2"`) once every node runs '
        "`kafkaVersion`; never newer than `kafkaVersion`, never lowered (docs/operations.md, 'Upgrades').",
    )
    image_pull_policy: ImagePullPolicy = Field(
        default=ImagePullPolicy.IF_NOT_PRESENT, description="The pods' image pull policy."
    )
    cluster_domain: DnsSubdomain = Field(default="cluster.local", description="The Kubernetes cluster's DNS domain.")
    pools: Annotated[list[PoolSpec], Field(min_length=1)] = Field(
        default_factory=_default_pools, description="The StatefulSets of nodes."
    )
    topic_defaults: TopicDefaults = Field(
        default=TopicDefaults(), description="Defaults for new topics and the internal topics."
    )
    network: Network = Field(default=Network(), description="Who may connect to the nodes.")
    quorum: Quorum = Field(default=Quorum(), description="The metadata quorum.")
    listeners: Listeners = Field(default=Listeners(), description="The security protocol of each listener.")
    tls: Tls = Field(default=Tls(), description="Where the certificate of the TLS listeners comes from.")
    authorization: Authorization = Field(default=Authorization(), description="The authorizer and its super users.")
    users: list[User] = Field(
        default=[],
        description="Application users, each with SCRAM-SHA-512 credentials in its own Secret; a password comes "
        "from `kraft:password-<user>` or is generated.",
    )
    template: PodTemplate = Field(
        default=PodTemplate(), description="Every pool's pod template, under each pool's own (docs/tailoring.md)."
    )
    logging: Logging = Field(default=Logging(), description="Log levels of every node, under each pool's own.")
    topics: list[Topic] = Field(
        default=[], description="Topics kraft creates, grows and configures (docs/topics-and-users.md)."
    )
    topics_delete_policy: TopicsDeletePolicy = Field(
        default=TopicsDeletePolicy.KEEP,
        description="keep: a topic removed from `topics` stays in the cluster, untouched; delete: kraft deletes it.",
    )
    metrics: Metrics = Field(
        default=Metrics(), description="Prometheus metrics, alerts and their objects (docs/operations-metrics.md)."
    )
    kafka_config: KafkaConfig = Field(
        default={},
        description="Kafka settings (`server.properties` keys) for every node, over kraft's defaults; a pool's "
        "`kafkaConfig` overrides them. Checked against `kafkaVersion`'s configuration definitions; keys kraft sets "
        "are refused with the key that sets them (docs/tailoring.md).",
    )

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
        _check_kafka_config(self)
        _check_pool_names(self)
        _check_node_ids(self.pools)
        if self.controller_count == 0:
            raise RuleError("pools", "no pool has the role 'controller'; a KRaft cluster needs a quorum")
        if self.broker_count == 0:
            raise RuleError("pools", "no pool has the role 'broker'; clients need at least one broker")
        _check_dedicated_roles(self)
        _check_quorum_size(self)
        _check_metadata_version(self)
        _check_racks(self)
        _check_dynamic_quorum_pools(self)
        _check_topic_defaults(self)
        _check_security(self)
        _check_external(self)
        _check_topics(self)
        _check_heaps(self)
        _check_jbod_metadata_version(self)
        return self

    def pod_template(self, pool: PoolSpec) -> PodTemplate:
        """A pool's pod template: its own merged over the cluster's."""
        return pool.template.over(self.template)

    @property
    def cluster_logging(self) -> Logging:
        """The cluster's log levels, the root INFO unless set."""
        return self.logging.over(Logging(root=LogLevel.INFO))

    def logging_of(self, pool: PoolSpec) -> Logging:
        """A pool's log levels: its own over the cluster's."""
        return pool.logging.over(self.cluster_logging)

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
    def replication_factor(self) -> int:
        """Replicas of every new and internal topic: 3, or the broker count when smaller."""
        return self.topic_defaults.replication_factor or min(3, self.broker_count)

    @property
    def min_insync_replicas(self) -> int:
        """In-sync replicas an acks=all write needs: one fewer than the replication factor, at least 1."""
        return self.topic_defaults.min_insync_replicas or max(1, self.replication_factor - 1)

    @property
    def manages_users(self) -> bool:
        """Whether the users Job exists: whenever users can log in (a SASL listener), so that removing the last
        declared user still revokes it."""
        return self.listeners.uses_sasl

    @property
    def manages_topics(self) -> bool:
        """Whether the topics Job exists: when topics are declared, or removed ones are to be deleted."""
        return bool(self.topics) or self.topics_delete_policy is TopicsDeletePolicy.DELETE

    def topic_partitions(self, topic: Topic) -> int:
        """A declared topic's partition count, the cluster default when unset."""
        return topic.partitions or self.topic_defaults.partitions

    def topic_replication_factor(self, topic: Topic) -> int:
        """A declared topic's replication factor, the cluster's when unset."""
        return topic.replication_factor or self.replication_factor


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


def _check_kafka_config(spec: ClusterSpec) -> None:
    """Every override at once (they depend on no other rule): see kafka_overrides."""
    from .kafka_overrides import override_problems  # noqa: PLC0415 - it renders specs, so it imports this module

    problems = override_problems(spec)
    if problems:
        raise RuleErrors(problems)


def _check_pool_names(spec: ClusterSpec) -> None:
    seen: set[str] = set()
    # Claims `<volume>-<statefulset>-<ordinal>` (and their growth patches, `<pool>-<volume>-<ordinal>`) must
    # never meet across pools.
    claims: dict[tuple[str, str], str] = {}
    for index, pool in enumerate(spec.pools):
        if pool.name in seen:
            raise RuleError(f"pools[{index}].name", f"{pool.name!r} names two pools; pool names must be unique")
        seen.add(pool.name)
        if naming.pool_template_key(pool.name) in naming.SHARED_PROPERTIES_FILES:
            raise RuleError(
                f"pools[{index}].name",
                f"{pool.name!r} would name its template {naming.pool_template_key(pool.name)}, a file kraft "
                f"writes for itself; not allowed: {', '.join(name.removesuffix('.properties') for name in naming.SHARED_PROPERTIES_FILES)}",
            )
        for volume_index, volume in enumerate(pool.storage.data_volumes):
            for prefix in (
                ("claim", f"{volume.name}-{spec.name}-{pool.name}"),
                ("patch", f"{pool.name}-{volume.name}"),
            ):
                other = claims.setdefault(prefix, pool.name)
                if other != pool.name:
                    raise RuleError(
                        f"pools[{index}].{pool.storage.key_of(volume_index)}.name",
                        f"volume {volume.name!r} of pool {pool.name!r} would share its claims' names with a "
                        f"volume of pool {other!r}; rename the volume",
                    )
        external = pool.is_broker and spec.listeners.external is not None
        problem = naming.name_length_problem(spec.name, pool.name, pool.replicas, external)
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


def _check_dedicated_roles(spec: ClusterSpec) -> None:
    """Kafka's docs advise against combined mode for critical deployments: a busy broker in the same JVM can
    starve the quorum, and the two cannot be scaled or upgraded apart."""
    combined = next((i for i, pool in enumerate(spec.pools) if pool.is_broker and pool.is_controller), None)
    if spec.profile is Profile.PRODUCTION and combined is not None:
        raise RuleError(
            f"pools[{combined}].roles",
            "combines broker and controller in a production profile, which Kafka advises against for critical "
            "deployments; allowed: a dedicated controller pool (roles: [controller]) plus a broker pool "
            "(roles: [broker]), or profile: development for a disposable cluster",
        )


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


def _check_security(spec: ClusterSpec) -> None:
    """Authorization needs an identity on every connection; users need a SASL listener to log in on."""
    listeners = spec.listeners
    names = [user.name for user in spec.users]
    duplicate = next((name for name in names if names.count(name) > 1), None)
    if duplicate:
        raise RuleError(f"users[{names.index(duplicate)}].name", f"{duplicate!r} is declared twice")
    if spec.users and not listeners.uses_sasl:
        raise RuleError(
            "users",
            "need a SASL listener to log in on; set listeners.client (or external) to SASL_SSL or SASL_PLAINTEXT",
        )
    if not spec.authorization.enabled:
        acl_user = next((i for i, user in enumerate(spec.users) if user.acls), None)
        if acl_user is not None:
            raise RuleError(f"users[{acl_user}].acls", "need authorization.enabled: true to have any effect")
        return
    # The protocols that give each listener's peers an identity: SCRAM, or a certificate where the client's
    # is required (the nodes' own listeners).
    authenticated = {
        "listeners.client": (listeners.client.value, ("SASL_SSL", "SASL_PLAINTEXT")),
        "listeners.internal": (listeners.internal.value, ("SSL", "SASL_SSL", "SASL_PLAINTEXT")),
        "listeners.controller": (listeners.controller.value, ("SSL",)),
    }
    if listeners.external is not None:
        authenticated["listeners.external.protocol"] = (listeners.external.protocol.value, ("SASL_SSL",))
    for key, (protocol, allowed) in authenticated.items():
        if protocol not in allowed:
            raise RuleError(
                key,
                f"{protocol} gives its clients no identity, so the authorizer would deny them everything; "
                f"allowed with authorization.enabled: {', '.join(allowed)} (or authorization.enabled: false)",
            )


def _check_external(spec: ClusterSpec) -> None:
    """Each broker's node port is node_port_base + 1 + its node ID (node_port_base is the bootstrap's)."""
    external = spec.listeners.external
    if external is None or external.type is not ExternalType.NODE_PORT:
        return
    highest = max(node_id for pool in spec.pools if pool.is_broker for node_id in pool.node_ids())
    if external.node_port_base + 1 + highest >= NODE_PORT_RANGE.stop:
        raise RuleError(
            "listeners.external.nodePortBase",
            f"{external.node_port_base} + 1 + the highest broker node ID ({highest}) is beyond "
            f"{NODE_PORT_RANGE.stop - 1}; allowed: {NODE_PORT_RANGE.start}-{NODE_PORT_RANGE.stop - 2 - highest}",
        )


def _check_topics(spec: ClusterSpec) -> None:
    """Each declared topic can be created as it is: unique (Kafka treats '.' and '_' alike in names), replicated
    within the brokers, a min.insync.replicas its replicas can meet, and configs the release accepts."""
    seen: dict[str, str] = {}
    for index, topic in enumerate(spec.topics):
        key = f"topics[{index}]"
        collides = seen.get(topic.name.replace(".", "_"))
        if collides is not None:
            same = "is declared twice" if collides == topic.name else f"collides with {collides!r} ('.' and '_' clash)"
            raise RuleError(f"{key}.name", f"{topic.name!r} {same}; topic names must be unique")
        seen[topic.name.replace(".", "_")] = topic.name
        factor = spec.topic_replication_factor(topic)
        if factor > spec.broker_count:
            raise RuleError(
                f"{key}.replicationFactor",
                f"{factor} is above the broker count ({spec.broker_count}); allowed: 1-{spec.broker_count}. "
                "Add brokers first, or lower it before the topic is created",
            )
        for name, value in topic.config.items():
            problem = topic_setting_problem(spec.kafka_version, name, value)
            if problem:
                raise RuleError(f"{key}.config.{name}", problem)
        min_isr = int(topic.config.get(MIN_INSYNC_REPLICAS, "1"))  # an INT: the ConfigDef check passed it
        if min_isr > factor:
            raise RuleError(
                f"{key}.config.{MIN_INSYNC_REPLICAS}",
                f"{min_isr} is above the replication factor ({factor}), so no acks=all write could ever succeed; "
                f"allowed: 1-{factor}",
            )


def _check_jbod_metadata_version(spec: ClusterSpec) -> None:
    """Kafka refuses to run a broker with several log directories below metadata.version 3.7-IV2."""
    match = _METADATA_VERSION.match(spec.metadata_version or "")
    if match is None:
        return
    # A release without -IV means its newest IV, so 3.7 itself qualifies.
    level = (int(match["major"]), int(match["minor"]), int(match["iv"]) if match["iv"] else 99)
    for index, pool in enumerate(spec.pools):
        if pool.is_broker and len(pool.storage.data_volumes) > 1 and level < JBOD_METADATA_VERSION:
            raise RuleError(
                f"pools[{index}].storage.volumes",
                f"several volumes need metadata.version 3.7-IV2 or newer, but metadataVersion is "
                f"{spec.metadata_version}; allowed: one volume, or finalise metadataVersion 3.7 or newer first",
            )


def _check_heaps(spec: ClusterSpec) -> None:
    """An explicit heap leaves room in the memory limit for the JVM's memory outside the heap."""
    for index, pool in enumerate(spec.pools):
        heap = spec.pod_template(pool).jvm.heap
        limit = pool.resources.limits.memory
        if heap is not None and parse_quantity(heap) + parse_quantity(JVM_NON_HEAP) > parse_quantity(limit):
            key = f"pools[{index}].template.jvm.heap" if pool.template.jvm.heap else "template.jvm.heap"
            raise RuleError(
                key,
                f"{heap} does not fit the memory limit {limit} of pool {pool.name!r}: the JVM needs {JVM_NON_HEAP} "
                f"beyond its heap (metaspace, threads, network buffers); allowed: at most the limit minus "
                f"{JVM_NON_HEAP}, or raise pools[{index}].resources.limits.memory",
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
        if isinstance(cause, RuleErrors):
            lines += [f"{_joined(path, rule.path)}: {rule}" for rule in cause.errors]
            continue
        if isinstance(cause, RuleError):
            path = _joined(path, cause.path)
            message = str(cause)
        elif problem["type"] == "extra_forbidden":
            allowed = _allowed_keys(location[:-1])
            message = f"unknown key; allowed keys here: {', '.join(allowed)}"
        else:
            message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{path}: {message}")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def path_part(part: int | str) -> str:
    """One step of a key path: `[1]`, `.name`, or `."message.max.bytes"` for a map key that is not a plain word."""
    if isinstance(part, int):
        return f"[{part}]"
    return f".{part}" if _PLAIN_KEY.match(part) else f".{json.dumps(part)}"


def _joined(path: str, rule_path: str) -> str:
    return f"{path}.{rule_path}" if rule_path else path


def _key_path(key: str, location: list[int | str]) -> str:
    path = key + "".join(path_part(part) for part in location if part != "[key]")
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
