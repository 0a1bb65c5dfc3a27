"""The JMX exporter's configuration: which of Kafka's MBeans become which Prometheus metrics.

Kafka reports through JMX MBeans (Yammer metrics such as `kafka.server:type=ReplicaManager,name=...` and Kafka
metrics such as `kafka.server:type=raft-metrics`). Prometheus's JMX exporter, run as a Java agent in the Kafka
JVM as its maintainers recommend, serves them over HTTP under the names its rules give. The rules here name each
metric the way Prometheus expects: snake_case with the unit as suffix (`_seconds`, `_bytes`), counters ending in
`_total` (the agent adds it), milliseconds turned into seconds. Only the MBeans the rules read are queried.
"""

import functools
from dataclasses import dataclass, field
from enum import StrEnum

import yaml

from . import naming

PORT = 9404  # the JMX exporter's customary port
PORT_NAME = "metrics"
AGENT_MOUNT = "/opt/kraft-metrics"  # the emptyDir the init container copies the agent jar into
AGENT_JAR = f"{AGENT_MOUNT}/jmx_prometheus_javaagent.jar"
RULES_KEY = "metrics.yaml"  # the ConfigMap file with the exporter's configuration
MS = 0.001  # valueFactor that turns milliseconds into seconds
QUANTILES = ("50", "95", "99", "999")  # the percentiles Kafka's histograms keep, as <n>thPercentile


class MetricType(StrEnum):
    """How Prometheus reads a metric: a gauge goes up and down, a counter only up (the agent appends `_total`)."""

    GAUGE = "GAUGE"
    COUNTER = "COUNTER"


@dataclass(frozen=True)
class Rule:
    """One JMX exporter rule: the MBean attributes `pattern` matches become the metric `name`.

    A pattern reads `domain<key=value, ...><>Attribute: value` with the MBean's keys in registration order.
    """

    pattern: str
    name: str
    help: str
    type: MetricType = MetricType.GAUGE
    labels: dict[str, str] = field(default_factory=dict)
    value_factor: float | None = None
    value: str | None = None
    """A fixed value, for an attribute whose text the pattern captures into a label (raft `current-state`)."""

    @property
    def exposed_name(self) -> str:
        """The name Prometheus sees: a counter's with `_total`."""
        return f"{self.name}_total" if self.type is MetricType.COUNTER else self.name

    def config(self) -> dict[str, object]:
        """The rule as the exporter's YAML reads it. Rules that ignore the value cache their match per MBean."""
        entry: dict[str, object] = {"pattern": self.pattern, "name": self.name, "type": self.type.value}
        entry["help"] = self.help
        if self.labels:
            entry["labels"] = dict(self.labels)
        if self.value_factor is not None:
            entry["valueFactor"] = self.value_factor
        if self.value is not None:
            entry["value"] = self.value
        else:
            entry["cache"] = True
        return entry


def _gauges(bean_type: str, names: dict[str, tuple[str, str]]) -> list[Rule]:
    """A gauge per Yammer gauge `<bean_type>, name=<name>` (its attribute Value); `bean_type` is the pattern up to
    the MBean's type."""
    return [Rule(rf"{bean_type}, name={name}><>Value", metric, text) for name, (metric, text) in names.items()]


def _captured(keys: str) -> tuple[str, dict[str, str]]:
    """The pattern of the MBean keys `keys` (space-separated, in registration order), and their labels."""
    labels = {key: f"${index}" for index, key in enumerate(keys.split(), start=1)}
    return "".join(f", {key}=(.+)" for key in labels), labels


def _counter(bean: str, metric: str, help_text: str, keys: str = "") -> Rule:
    """A counter from the Count of a Yammer meter (the `...PerSec` MBeans), labelled by the MBean's `keys`."""
    pattern, labels = _captured(keys)
    return Rule(rf"{bean}{pattern}><>Count", metric, help_text, MetricType.COUNTER, labels)


def _quantiles(bean: str, metric: str, help_text: str, keys: str = "") -> list[Rule]:
    """A gauge per percentile of a Yammer histogram in milliseconds, as seconds with a `quantile` label."""
    pattern, labels = _captured(keys)
    return [
        Rule(
            rf"{bean}{pattern}><>{quantile}thPercentile",
            metric,
            help_text,
            labels=labels | {"quantile": f"0.{quantile}".rstrip("0")},
            value_factor=MS,
        )
        for quantile in QUANTILES
    ]


def _raft(attribute: str, metric: str, help_text: str, value_factor: float | None = None) -> Rule:
    """A gauge from an attribute of the KRaft client's `kafka.server:type=raft-metrics`."""
    return Rule(rf"kafka\.server<type=raft-metrics><>{attribute}", metric, help_text, value_factor=value_factor)


RULES: tuple[Rule, ...] = (
    # Replication, on every broker.
    *_gauges(r"kafka\.server<type=ReplicaManager", {
        "UnderReplicatedPartitions": ("kafka_server_under_replicated_partitions",
                                      "Partitions led by this broker with fewer in-sync replicas than replicas."),
        "UnderMinIsrPartitionCount": ("kafka_server_under_min_isr_partitions",
                                      "Partitions led by this broker below min.insync.replicas: acks=all writes fail."),
        "AtMinIsrPartitionCount": ("kafka_server_at_min_isr_partitions",
                                   "Partitions led by this broker exactly at min.insync.replicas."),
        "OfflineReplicaCount": ("kafka_server_offline_replicas", "Replicas on this broker that are offline."),
        "PartitionCount": ("kafka_server_partitions", "Partition replicas on this broker."),
        "LeaderCount": ("kafka_server_leader_partitions", "Partitions this broker leads."),
    }),
    _counter(r"kafka\.server<type=ReplicaManager, name=IsrShrinksPerSec", "kafka_server_isr_shrinks",
             "Times an in-sync replica set shrank on this broker."),
    _counter(r"kafka\.server<type=ReplicaManager, name=IsrExpandsPerSec", "kafka_server_isr_expands",
             "Times an in-sync replica set grew on this broker."),
    # Traffic, on every broker: all topics, and per topic.
    _counter(r"kafka\.server<type=BrokerTopicMetrics, name=MessagesInPerSec", "kafka_server_incoming_messages",
             "Messages produced to this broker."),
    _counter(r"kafka\.server<type=BrokerTopicMetrics, name=BytesInPerSec", "kafka_server_incoming_bytes",
             "Bytes produced to this broker by clients."),
    _counter(r"kafka\.server<type=BrokerTopicMetrics, name=BytesOutPerSec", "kafka_server_outgoing_bytes",
             "Bytes fetched from this broker by clients."),
    _counter(r"kafka\.server<type=BrokerTopicMetrics, name=FailedProduceRequestsPerSec",
             "kafka_server_failed_produce_requests", "Produce requests to this broker that failed."),
    _counter(r"kafka\.server<type=BrokerTopicMetrics, name=FailedFetchRequestsPerSec",
             "kafka_server_failed_fetch_requests", "Fetch requests to this broker that failed."),
    _counter(r"kafka\.server<type=BrokerTopicMetrics, name=MessagesInPerSec", "kafka_server_topic_incoming_messages",
             "Messages produced to this broker, per topic.", "topic"),
    _counter(r"kafka\.server<type=BrokerTopicMetrics, name=BytesInPerSec", "kafka_server_topic_incoming_bytes",
             "Bytes produced to this broker by clients, per topic.", "topic"),
    _counter(r"kafka\.server<type=BrokerTopicMetrics, name=BytesOutPerSec", "kafka_server_topic_outgoing_bytes",
             "Bytes fetched from this broker by clients, per topic.", "topic"),
    # Requests, on every node.
    _counter(r"kafka\.network<type=RequestMetrics, name=RequestsPerSec", "kafka_network_requests",
             "Requests this node received, by request type and version.", "request version"),
    _counter(r"kafka\.network<type=RequestMetrics, name=ErrorsPerSec", "kafka_network_request_errors",
             "Responses this node sent, by request type and error code (NONE for success).", "request error"),
    *_quantiles(r"kafka\.network<type=RequestMetrics, name=TotalTimeMs", "kafka_network_request_total_time_seconds",
                "Time from receiving a request to sending its response, by request type.", "request"),
    *_gauges(r"kafka\.network<type=RequestChannel", {
        "RequestQueueSize": ("kafka_network_request_queue_size", "Requests waiting for a request handler thread."),
    }),
    *_gauges(r"kafka\.network<type=SocketServer", {
        "NetworkProcessorAvgIdlePercent": ("kafka_network_processor_idle_ratio",
                                           "Fraction of time the network threads are idle (0-1)."),
    }),
    Rule(r"kafka\.server<type=KafkaRequestHandlerPool, name=RequestHandlerAvgIdlePercent><>OneMinuteRate",
         "kafka_server_request_handler_idle_ratio", "Fraction of time the request handler threads are idle (0-1)."),
    # The active controller's view of the cluster, on every controller (0 on the inactive ones where noted).
    *_gauges(r"kafka\.controller<type=KafkaController", {
        "ActiveControllerCount": ("kafka_controller_active_controller_count",
                                  "1 on the active controller, 0 on the others: the cluster's sum must be 1."),
        "OfflinePartitionsCount": ("kafka_controller_offline_partitions", "Partitions without a leader."),
        "GlobalTopicCount": ("kafka_controller_topics", "Topics in the cluster."),
        "GlobalPartitionCount": ("kafka_controller_partitions", "Partitions in the cluster."),
        "ActiveBrokerCount": ("kafka_controller_active_brokers", "Registered, unfenced brokers."),
        "FencedBrokerCount": ("kafka_controller_fenced_brokers", "Registered brokers that are fenced."),
        "PreferredReplicaImbalanceCount": ("kafka_controller_preferred_replica_imbalance",
                                           "Partitions whose leader is not their preferred replica."),
        "MetadataErrorCount": ("kafka_controller_metadata_errors",
                               "Errors this controller met applying the metadata log."),
        "LastAppliedRecordOffset": ("kafka_controller_last_applied_record_offset",
                                    "Offset of the last metadata record this controller applied."),
        "LastCommittedRecordOffset": ("kafka_controller_last_committed_record_offset",
                                      "Offset of the last metadata record the quorum committed."),
    }),
    Rule(r"kafka\.controller<type=KafkaController, name=LastAppliedRecordLagMs><>Value",
         "kafka_controller_last_applied_record_lag_seconds",
         "Age of the last metadata record this controller applied.", value_factor=MS),
    _counter(r"kafka\.controller<type=ControllerStats, name=UncleanLeaderElectionsPerSec",
             "kafka_controller_unclean_leader_elections", "Leaders elected from out-of-sync replicas (data loss)."),
    *_quantiles(r"kafka\.controller<type=ControllerEventManager, name=EventQueueTimeMs",
                "kafka_controller_event_queue_time_seconds", "Time controller events wait in the queue."),
    *_quantiles(r"kafka\.controller<type=ControllerEventManager, name=EventQueueProcessingTimeMs",
                "kafka_controller_event_processing_time_seconds", "Time the controller takes to process an event."),
    # The KRaft quorum, on every node (brokers follow it as observers).
    _raft("current-leader", "kafka_raft_current_leader", "Node ID of the quorum leader this node knows; -1: none."),
    _raft("current-epoch", "kafka_raft_current_epoch", "The quorum epoch: it grows with every election."),
    Rule(r"kafka\.server<type=raft-metrics><>current-state: (.+)", "kafka_raft_current_state",
         "1 for this node's quorum state (leader, follower, observer, candidate, ...).",
         labels={"state": "$1"}, value="1"),
    _raft("high-watermark", "kafka_raft_high_watermark", "Highest metadata offset the quorum committed; -1: unknown."),
    _raft("log-end-offset", "kafka_raft_log_end_offset",
          "End of this node's copy of the metadata log; the leader's minus a node's is that node's lag."),
    _raft("log-end-epoch", "kafka_raft_log_end_epoch", "Epoch of the last record in this node's metadata log."),
    _raft("number-of-voters", "kafka_raft_voters", "Voters of the quorum (Kafka 4.0 and later)."),
    _raft("number-of-observers", "kafka_raft_observers", "Observers the quorum leader tracks (on the leader only)."),
    _raft("number-unknown-voter-connections", "kafka_raft_unknown_voter_connections",
          "Voters this node cannot reach by address."),
    _raft("commit-latency-avg", "kafka_raft_commit_latency_avg_seconds",
          "Average time to commit a metadata record.", MS),
    _raft("commit-latency-max", "kafka_raft_commit_latency_max_seconds", "Longest time to commit a metadata record.", MS),
    _raft("election-latency-avg", "kafka_raft_election_latency_avg_seconds", "Average time to elect a leader.", MS),
    _raft("append-records-rate", "kafka_raft_append_records_per_second",
          "Metadata records the leader appends per second."),
    _raft("fetch-records-rate", "kafka_raft_fetch_records_per_second",
          "Metadata records this node fetches from the leader per second."),
    Rule(r"kafka\.server<type=broker-metadata-metrics><>last-applied-record-offset",
         "kafka_broker_metadata_last_applied_record_offset", "Offset of the last metadata record this broker applied."),
    Rule(r"kafka\.server<type=broker-metadata-metrics><>last-applied-record-lag-ms",
         "kafka_broker_metadata_last_applied_record_lag_seconds",
         "Age of the last metadata record this broker applied.", value_factor=MS),
    # Storage, on every broker.
    Rule(r"kafka\.log<type=Log, name=Size, topic=(.+), partition=([0-9]+)><>Value", "kafka_log_size_bytes",
         "Size of a partition's log on this broker.", labels={"topic": "$1", "partition": "$2"}),
    *_gauges(r"kafka\.log<type=LogManager", {
        "OfflineLogDirectoryCount": ("kafka_log_offline_directories", "Log directories of this node that failed."),
    }),
)  # fmt: skip

# The MBeans the rules read; the agent queries these alone, which keeps a scrape cheap on a broker with many
# partitions.
INCLUDED_MBEANS = (
    "kafka.server:type=ReplicaManager,*",
    "kafka.server:type=BrokerTopicMetrics,*",
    "kafka.server:type=KafkaRequestHandlerPool,name=RequestHandlerAvgIdlePercent",
    "kafka.server:type=raft-metrics",
    "kafka.server:type=broker-metadata-metrics",
    "kafka.network:type=RequestMetrics,name=RequestsPerSec,*",
    "kafka.network:type=RequestMetrics,name=ErrorsPerSec,*",
    "kafka.network:type=RequestMetrics,name=TotalTimeMs,*",
    "kafka.network:type=RequestChannel,name=RequestQueueSize",
    "kafka.network:type=SocketServer,name=NetworkProcessorAvgIdlePercent",
    "kafka.controller:type=KafkaController,*",
    "kafka.controller:type=ControllerStats,name=UncleanLeaderElectionsPerSec",
    "kafka.controller:type=ControllerEventManager,*",
    "kafka.log:type=Log,name=Size,*",
    "kafka.log:type=LogManager,name=OfflineLogDirectoryCount",
)

# What the agent serves besides the rules' metrics: the JVM's own (client_java's JvmMetrics), among them these.
AGENT_JVM_METRICS = (
    "jvm_memory_used_bytes",
    "jvm_memory_max_bytes",
    "jvm_memory_pool_used_bytes",
    "jvm_gc_collection_seconds_count",
    "jvm_gc_collection_seconds_sum",
    "jvm_threads_current",
    "process_cpu_seconds_total",
)


def exposed_names() -> frozenset[str]:
    """Every metric name a node serves through the rules, as Prometheus sees it."""
    return frozenset(rule.exposed_name for rule in RULES)


@functools.cache
def exporter_config() -> str:
    """The JMX exporter's configuration file (made once: the ConfigMap and every pool's checksum hold it)."""
    config = {
        "lowercaseOutputName": False,
        "lowercaseOutputLabelNames": False,
        "includeObjectNames": list(INCLUDED_MBEANS),
        "rules": [rule.config() for rule in RULES],
    }
    return yaml.safe_dump(config, sort_keys=False, width=1 << 16)


def java_agent_option() -> str:
    """`-javaagent:<jar>=<port>:<config>`, the way the JMX exporter's maintainers run it."""
    return f"-javaagent:{AGENT_JAR}={PORT}:{naming.CONFIG_MOUNT}/{RULES_KEY}"
