"""Prometheus metrics: the JMX exporter's rules against the MBeans Kafka registers, how the agent reaches the Kafka
container, who may scrape it, the Prometheus Operator's objects, the alerts and the Grafana dashboard.

The rules are run here the way the agent runs them (jmx_exporter 1.x, JmxCollector.recordBean): each MBean
attribute is written as `domain<key=value, ...><>attribute: value` with the keys in registration order, the first
rule whose pattern (`^.*(?:<pattern>).*$`) matches names it. The MBeans are those of Kafka 4.3.1's source
(ReplicaManager, RequestMetrics, QuorumControllerMetrics, KafkaRaftMetrics, UnifiedLog, ...). The real tier scrapes
a real agent in a real Kafka.
"""

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kraft_component import jmx_exporter, metrics, monitoring, naming
from kraft_component.spec import DEFAULT_AGENT_IMAGE, InvalidSpec, parse_spec
from kraft_component.statefulset import statefulset
from tests.helpers import ROOT, deploy, objects, one, registration
from tests.standins import Pod

SCRAPERS = [{"namespaceLabels": {"kubernetes.io/metadata.name": "monitoring"}}]
METRICS = {"metrics": {"enabled": True, "scrapeFrom": SCRAPERS}}
DASHBOARD = ROOT / "docs" / "grafana-dashboard.json"

# (MBean, attribute, value) as a Kafka 4.3 node registers them, and what each must become: (name, labels, value),
# or None where no metric is wanted.
Sample = tuple[str, str, Any]
EXPECTED: list[tuple[Sample, tuple[str, dict[str, str], float] | None]] = [
    (("kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions", "Value", 2),
     ("kafka_server_under_replicated_partitions", {}, 2)),
    (("kafka.server:type=ReplicaManager,name=UnderMinIsrPartitionCount", "Value", 1),
     ("kafka_server_under_min_isr_partitions", {}, 1)),
    (("kafka.server:type=ReplicaManager,name=AtMinIsrPartitionCount", "Value", 0), ("kafka_server_at_min_isr_partitions", {}, 0)),
    (("kafka.server:type=ReplicaManager,name=OfflineReplicaCount", "Value", 0), ("kafka_server_offline_replicas", {}, 0)),
    (("kafka.server:type=ReplicaManager,name=PartitionCount", "Value", 40), ("kafka_server_partitions", {}, 40)),
    (("kafka.server:type=ReplicaManager,name=LeaderCount", "Value", 13), ("kafka_server_leader_partitions", {}, 13)),
    (("kafka.server:type=ReplicaManager,name=IsrShrinksPerSec", "Count", 7), ("kafka_server_isr_shrinks_total", {}, 7)),
    (("kafka.server:type=ReplicaManager,name=IsrShrinksPerSec", "OneMinuteRate", 0.1), None),
    (("kafka.server:type=ReplicaManager,name=IsrExpandsPerSec", "Count", 5), ("kafka_server_isr_expands_total", {}, 5)),
    (("kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec", "Count", 100),
     ("kafka_server_incoming_messages_total", {}, 100)),
    (("kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=orders", "Count", 60),
     ("kafka_server_topic_incoming_messages_total", {"topic": "orders"}, 60)),
    (("kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec", "Count", 4096), ("kafka_server_incoming_bytes_total", {}, 4096)),
    (("kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=orders", "Count", 1024),
     ("kafka_server_topic_incoming_bytes_total", {"topic": "orders"}, 1024)),
    (("kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec", "Count", 8192), ("kafka_server_outgoing_bytes_total", {}, 8192)),
    (("kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec,topic=orders", "Count", 2048),
     ("kafka_server_topic_outgoing_bytes_total", {"topic": "orders"}, 2048)),
    (("kafka.server:type=BrokerTopicMetrics,name=FailedProduceRequestsPerSec", "Count", 1),
     ("kafka_server_failed_produce_requests_total", {}, 1)),
    (("kafka.server:type=BrokerTopicMetrics,name=FailedFetchRequestsPerSec", "Count", 0),
     ("kafka_server_failed_fetch_requests_total", {}, 0)),
    (("kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce,version=11", "Count", 42),
     ("kafka_network_requests_total", {"request": "Produce", "version": "11"}, 42)),
    (("kafka.network:type=RequestMetrics,name=ErrorsPerSec,request=Fetch,error=NONE", "Count", 9),
     ("kafka_network_request_errors_total", {"request": "Fetch", "error": "NONE"}, 9)),
    (("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce", "99thPercentile", 12.0),
     ("kafka_network_request_total_time_seconds", {"request": "Produce", "quantile": "0.99"}, 0.012)),
    (("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=FetchFollower", "50thPercentile", 500.0),
     ("kafka_network_request_total_time_seconds", {"request": "FetchFollower", "quantile": "0.5"}, 0.5)),
    (("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce", "999thPercentile", 30.0),
     ("kafka_network_request_total_time_seconds", {"request": "Produce", "quantile": "0.999"}, 0.03)),
    (("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce", "Mean", 3.0), None),
    (("kafka.network:type=RequestChannel,name=RequestQueueSize", "Value", 3), ("kafka_network_request_queue_size", {}, 3)),
    (("kafka.network:type=SocketServer,name=NetworkProcessorAvgIdlePercent", "Value", 0.9),
     ("kafka_network_processor_idle_ratio", {}, 0.9)),
    (("kafka.server:type=KafkaRequestHandlerPool,name=RequestHandlerAvgIdlePercent", "OneMinuteRate", 0.8),
     ("kafka_server_request_handler_idle_ratio", {}, 0.8)),
    (("kafka.controller:type=KafkaController,name=ActiveControllerCount", "Value", 1),
     ("kafka_controller_active_controller_count", {}, 1)),
    (("kafka.controller:type=KafkaController,name=OfflinePartitionsCount", "Value", 0),
     ("kafka_controller_offline_partitions", {}, 0)),
    (("kafka.controller:type=KafkaController,name=GlobalTopicCount", "Value", 4), ("kafka_controller_topics", {}, 4)),
    (("kafka.controller:type=KafkaController,name=GlobalPartitionCount", "Value", 53), ("kafka_controller_partitions", {}, 53)),
    (("kafka.controller:type=KafkaController,name=ActiveBrokerCount", "Value", 3), ("kafka_controller_active_brokers", {}, 3)),
    (("kafka.controller:type=KafkaController,name=FencedBrokerCount", "Value", 0), ("kafka_controller_fenced_brokers", {}, 0)),
    (("kafka.controller:type=KafkaController,name=PreferredReplicaImbalanceCount", "Value", 2),
     ("kafka_controller_preferred_replica_imbalance", {}, 2)),
    (("kafka.controller:type=KafkaController,name=MetadataErrorCount", "Value", 0), ("kafka_controller_metadata_errors", {}, 0)),
    (("kafka.controller:type=KafkaController,name=LastAppliedRecordOffset", "Value", 812),
     ("kafka_controller_last_applied_record_offset", {}, 812)),
    (("kafka.controller:type=KafkaController,name=LastCommittedRecordOffset", "Value", 812),
     ("kafka_controller_last_committed_record_offset", {}, 812)),
    (("kafka.controller:type=KafkaController,name=LastAppliedRecordLagMs", "Value", 250),
     ("kafka_controller_last_applied_record_lag_seconds", {}, 0.25)),
    (("kafka.controller:type=ControllerStats,name=UncleanLeaderElectionsPerSec", "Count", 0),
     ("kafka_controller_unclean_leader_elections_total", {}, 0)),
    (("kafka.controller:type=ControllerEventManager,name=EventQueueTimeMs", "95thPercentile", 2.0),
     ("kafka_controller_event_queue_time_seconds", {"quantile": "0.95"}, 0.002)),
    (("kafka.controller:type=ControllerEventManager,name=EventQueueProcessingTimeMs", "99thPercentile", 4.0),
     ("kafka_controller_event_processing_time_seconds", {"quantile": "0.99"}, 0.004)),
    (("kafka.server:type=raft-metrics", "current-leader", 1), ("kafka_raft_current_leader", {}, 1)),
    (("kafka.server:type=raft-metrics", "current-epoch", 4), ("kafka_raft_current_epoch", {}, 4)),
    (("kafka.server:type=raft-metrics", "current-state", "follower"), ("kafka_raft_current_state", {"state": "follower"}, 1)),
    (("kafka.server:type=raft-metrics", "current-vote-directory-id", "AAAAAAAAAAAAAAAAAAAAAA"), None),
    (("kafka.server:type=raft-metrics", "high-watermark", 812), ("kafka_raft_high_watermark", {}, 812)),
    (("kafka.server:type=raft-metrics", "log-end-offset", 812), ("kafka_raft_log_end_offset", {}, 812)),
    (("kafka.server:type=raft-metrics", "log-end-epoch", 4), ("kafka_raft_log_end_epoch", {}, 4)),
    (("kafka.server:type=raft-metrics", "number-of-voters", 3), ("kafka_raft_voters", {}, 3)),
    (("kafka.server:type=raft-metrics", "number-of-observers", 3), ("kafka_raft_observers", {}, 3)),
    (("kafka.server:type=raft-metrics", "number-unknown-voter-connections", 0),
     ("kafka_raft_unknown_voter_connections", {}, 0)),
    (("kafka.server:type=raft-metrics", "commit-latency-avg", 8.0), ("kafka_raft_commit_latency_avg_seconds", {}, 0.008)),
    (("kafka.server:type=raft-metrics", "commit-latency-max", 20.0), ("kafka_raft_commit_latency_max_seconds", {}, 0.02)),
    (("kafka.server:type=raft-metrics", "election-latency-avg", 100.0),
     ("kafka_raft_election_latency_avg_seconds", {}, 0.1)),
    (("kafka.server:type=raft-metrics", "append-records-rate", 2.0), ("kafka_raft_append_records_per_second", {}, 2.0)),
    (("kafka.server:type=raft-metrics", "fetch-records-rate", 2.0), ("kafka_raft_fetch_records_per_second", {}, 2.0)),
    (("kafka.server:type=broker-metadata-metrics", "last-applied-record-offset", 812),
     ("kafka_broker_metadata_last_applied_record_offset", {}, 812)),
    (("kafka.server:type=broker-metadata-metrics", "last-applied-record-lag-ms", 600),
     ("kafka_broker_metadata_last_applied_record_lag_seconds", {}, 0.6)),
    (("kafka.log:type=Log,name=Size,topic=orders,partition=2", "Value", 1 << 20),
     ("kafka_log_size_bytes", {"topic": "orders", "partition": "2"}, 1 << 20)),
    (("kafka.log:type=Log,name=Size,topic=orders,partition=2,is-future=true", "Value", 10), None),
    (("kafka.log:type=LogManager,name=OfflineLogDirectoryCount", "Value", 0), ("kafka_log_offline_directories", {}, 0)),
]  # fmt: skip


def config() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(jmx_exporter.exporter_config())
    return loaded


def _properties(mbean: str) -> tuple[str, list[tuple[str, str]]]:
    domain, _, keys = mbean.partition(":")
    return domain, [(key, value) for key, _, value in (pair.partition("=") for pair in keys.split(","))]


def export(sample: Sample) -> tuple[str, dict[str, str], float] | None:
    """What the agent serves for one MBean attribute under the rules, as JmxCollector.recordBean does."""
    mbean, attribute, value = sample
    domain, properties = _properties(mbean)
    bean = f"{domain}<{', '.join(f'{key}={item}' for key, item in properties)}><>"
    for rule in config()["rules"]:
        matched = re.fullmatch(
            f"^.*(?:{rule['pattern']}).*$", f"{bean}{attribute}: {'<cache>' if rule.get('cache') else value}"
        )
        if matched is None:
            continue

        def replace(text: str, found: re.Match[str] = matched) -> str:
            """A rule's name, label or value with the pattern's groups filled in (Java's $1 is Python's \\g<1>)."""
            return found.expand(re.sub(r"\$(\d+)", r"\\g<\1>", text))

        number = float(replace(rule["value"])) if "value" in rule else value
        if not isinstance(number, int | float):
            return None  # the agent skips text it is not told to replace
        suffix = "_total" if rule["type"] == "COUNTER" else ""
        labels = {name: replace(text) for name, text in rule.get("labels", {}).items()}
        return replace(rule["name"]) + suffix, labels, number * rule.get("valueFactor", 1)
    return None


def included(mbean: str) -> bool:
    """Whether one of the config's includeObjectNames (JMX ObjectName patterns) names the MBean."""
    domain, properties = _properties(mbean)
    for pattern in config()["includeObjectNames"]:
        pattern_domain, wanted = _properties(pattern.removesuffix(",*"))
        matches_keys = set(wanted) == set(properties) or (pattern.endswith(",*") and set(wanted) <= set(properties))
        if pattern_domain == domain and matches_keys:
            return True
    return False


@pytest.mark.parametrize(("sample", "expected"), EXPECTED, ids=[f"{s[0]}:{s[1]}" for s, _ in EXPECTED])
def test_each_kafka_mbean_becomes_the_metric_prometheus_users_expect(sample: Sample, expected: Any) -> None:
    exported = export(sample)
    if expected is None:
        assert exported is None
        return
    assert exported is not None
    name, labels, value = exported
    assert (name, labels) == expected[:2]
    assert value == pytest.approx(expected[2])
    assert included(sample[0]), "the agent only queries the MBeans includeObjectNames names"


def test_every_rule_is_used_and_every_name_is_a_valid_prometheus_name() -> None:
    used = {exported[0] for sample, _ in EXPECTED if (exported := export(sample))}
    assert used == jmx_exporter.exposed_names()
    for rule in jmx_exporter.RULES:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", rule.name), rule.name
        # client_java 1.x refuses these suffixes in a metric's own name; the agent appends _total to counters
        assert not rule.name.endswith(("_total", "_created", "_bucket", "_info")), rule.name


def test_the_issue_s_metrics_are_all_there() -> None:
    names = jmx_exporter.exposed_names()
    wanted = [
        "kafka_server_under_replicated_partitions", "kafka_controller_offline_partitions",
        "kafka_controller_active_controller_count", "kafka_raft_current_leader", "kafka_raft_current_epoch",
        "kafka_raft_log_end_offset", "kafka_raft_voters", "kafka_network_requests_total",
        "kafka_network_request_total_time_seconds", "kafka_server_isr_shrinks_total", "kafka_server_isr_expands_total",
        "kafka_log_size_bytes",
    ]  # fmt: skip
    assert [name for name in wanted if name not in names] == []
    assert {"jvm_memory_used_bytes", "jvm_gc_collection_seconds_count"} <= set(jmx_exporter.AGENT_JVM_METRICS)


# --- the pods -------------------------------------------------------------------------------------------------


def test_metrics_are_off_unless_enabled_and_then_every_node_serves_them() -> None:
    plain = parse_spec({})
    assert not plain.metrics.enabled
    pod = statefulset(plain, plain.pools[0], 0, "kafka")["spec"]["template"]["spec"]
    assert "initContainers" not in pod and "metrics" not in json.dumps(pod["containers"][0]["ports"])

    spec = parse_spec(METRICS)
    pod = statefulset(spec, spec.pools[0], 0, "kafka")["spec"]["template"]["spec"]
    (init,) = pod["initContainers"]
    assert init["image"] == DEFAULT_AGENT_IMAGE
    assert init["command"] == ["cp", "/jmx_prometheus_javaagent.jar", jmx_exporter.AGENT_JAR]
    assert init["securityContext"]["readOnlyRootFilesystem"] and init["securityContext"]["runAsNonRoot"]
    kafka = pod["containers"][0]
    assert {"name": "metrics", "containerPort": 9404, "protocol": "TCP"} in kafka["ports"]
    agent_mount = {"name": metrics.AGENT_VOLUME, "mountPath": jmx_exporter.AGENT_MOUNT, "readOnly": True}
    assert agent_mount in kafka["volumeMounts"]
    assert {"name": metrics.AGENT_VOLUME, "emptyDir": {"sizeLimit": "16Mi"}} in pod["volumes"]
    env = {variable["name"]: variable.get("value") for variable in kafka["env"]}
    assert env["KRAFT_METRICS_JAVA_AGENT"] == (
        f"-javaagent:{jmx_exporter.AGENT_JAR}=9404:{naming.CONFIG_MOUNT}/{jmx_exporter.RULES_KEY}"
    )


def test_the_agent_image_and_jar_can_be_chosen() -> None:
    spec = parse_spec({"metrics": {"enabled": True, "agentImage": "mirror.example/jmx@sha256:" + "a" * 64,
                                   "agentJarPath": "/opt/agent/agent.jar"}})  # fmt: skip
    (init,) = statefulset(spec, spec.pools[0], 0, "kafka")["spec"]["template"]["spec"]["initContainers"]
    assert init["image"] == "mirror.example/jmx@sha256:" + "a" * 64
    assert init["command"][1] == "/opt/agent/agent.jar"


def test_turning_metrics_on_or_changing_the_rules_rolls_the_pods() -> None:
    def checksum(data: dict[str, Any]) -> str:
        spec = parse_spec(data)
        template = statefulset(spec, spec.pools[0], 0, "kafka")["spec"]["template"]
        value: str = template["metadata"]["annotations"][naming.CONFIG_CHECKSUM_ANNOTATION]
        return value

    assert checksum({}) != checksum(METRICS)
    data = one(deploy(METRICS), "ConfigMap", "kafka-config")["data"]
    assert yaml.safe_load(data[jmx_exporter.RULES_KEY]) == config()


def test_the_agent_runs_in_the_server_alone_not_in_the_format_tool(tmp_path: Path) -> None:
    pod = Pod(tmp_path, parse_spec(METRICS), "brokers", 0)

    start = pod.start(env={"KAFKA_OPTS": "-Dexisting=1"})

    assert start.returncode == 0, start.stderr
    jar = pod.volume_dir(metrics.AGENT_VOLUME) / Path(jmx_exporter.AGENT_JAR).name
    assert jar.read_text() == f"stand-in for /jmx_prometheus_javaagent.jar of {DEFAULT_AGENT_IMAGE}", (
        "the init container ran"
    )
    opts = dict(line.split("\t", 1) for line in (pod.kafka_home / "kafka-opts").read_text().splitlines())
    assert opts["kafka-storage.sh"] == "-Dexisting=1"
    assert opts["kafka-server-start.sh"] == f"-Dexisting=1 {jmx_exporter.java_agent_option()}"


def test_a_missing_agent_jar_stops_the_node_naming_the_keys(tmp_path: Path) -> None:
    pod = Pod(tmp_path, parse_spec(METRICS), "brokers", 0)
    start = pod.start(env={"KRAFT_METRICS_AGENT_JAR": str(tmp_path / "absent.jar")})
    assert start.returncode == 1 and start.server_starts == []
    assert "kraft:cluster.metrics.agentImage (path kraft:cluster.metrics.agentJarPath)" in start.stderr


def test_only_the_scrapers_reach_the_metrics_port() -> None:
    policy = one(deploy(METRICS), "NetworkPolicy", "kafka-nodes")
    rules = [rule for rule in policy["spec"]["ingress"] if {"protocol": "TCP", "port": 9404} in rule["ports"]]
    assert rules == [{"from": [{"namespaceSelector": {"matchLabels": SCRAPERS[0]["namespaceLabels"]}}],
                      "ports": [{"protocol": "TCP", "port": 9404}]}]  # fmt: skip
    unscraped = one(deploy({"metrics": {"enabled": True}}), "NetworkPolicy", "kafka-nodes")
    assert "9404" not in json.dumps(unscraped["spec"]["ingress"]), "no scrapers: the port is closed to everyone"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"podMonitor": {"enabled": True}}, "kraft:cluster.metrics.podMonitor.enabled: needs metrics.enabled: true"),
        ({"prometheusRule": {"enabled": True}}, "kraft:cluster.metrics.prometheusRule.enabled: needs metrics.enabled"),
        ({"enabled": True, "podMonitor": {"enabled": True}}, "kraft:cluster.metrics.scrapeFrom: is empty"),
        ({"agentImage": "Not An Image"}, "kraft:cluster.metrics.agentImage: 'Not An Image' is not an image reference"),
        ({"agentJarPath": "agent.jar"}, "kraft:cluster.metrics.agentJarPath: 'agent.jar' is not an absolute path"),
        ({"podMonitor": {"interval": "half a minute"}}, "kraft:cluster.metrics.podMonitor.interval: 'half a minute'"),
        ({"prometheusRule": {"diskUsagePercent": 100}}, "kraft:cluster.metrics.prometheusRule.diskUsagePercent: Input "
         "should be less than or equal to 99"),
        ({"scrapeFrom": [{}]}, "kraft:cluster.metrics.scrapeFrom[0]: names no pods"),
    ],
)  # fmt: skip
def test_bad_metrics_config_is_refused_naming_the_key(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(InvalidSpec) as refused:
        parse_spec({"metrics": data})
    assert expected in str(refused.value)


# --- the Prometheus Operator's objects ------------------------------------------------------------------------


def test_the_operator_objects_exist_only_when_asked_for_with_plain_type_tokens() -> None:
    assert [r for r in deploy(METRICS).registrations if "monitoring.coreos.com" in r.type] == []
    asked = {"metrics": METRICS["metrics"] | {"podMonitor": {"enabled": True, "labels": {"release": "prom"}},
                                              "prometheusRule": {"enabled": True, "labels": {"role": "alerts"}}}}  # fmt: skip
    evaluation = deploy(asked)
    monitor = registration(evaluation, ":PodMonitor", "kafka-pod-monitor")
    rule = registration(evaluation, ":PrometheusRule", "kafka-alerts")
    assert monitor.type == "kubernetes:monitoring.coreos.com/v1:PodMonitor"
    assert rule.type == "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
    assert monitor.manifest()["metadata"]["labels"]["release"] == "prom"
    assert rule.manifest()["metadata"]["labels"]["role"] == "alerts"
    endpoint = monitor.manifest()["spec"]["podMetricsEndpoints"][0]
    assert endpoint["port"] == "metrics"
    assert {r["targetLabel"] for r in endpoint["relabelings"]} == {monitoring.CLUSTER_LABEL, monitoring.POOL_LABEL}


def test_the_alerts_cover_the_issue_and_follow_the_cluster() -> None:
    spec = parse_spec({"pools": [{"name": "controllers", "roles": ["controller"], "replicas": 3},
                                 {"name": "brokers", "roles": ["broker"], "replicas": 6}],
                       "metrics": {"enabled": True, "prometheusRule": {"enabled": True, "diskUsagePercent": 70}}})  # fmt: skip
    alerts = {alert["alert"]: alert for alert in monitoring.alerts(spec, "streaming")}
    assert set(alerts) == {
        "KafkaUnderReplicatedPartitions", "KafkaUnderMinIsrPartitions", "KafkaOfflinePartitions",
        "KafkaNoActiveController", "KafkaMultipleActiveControllers", "KafkaNoQuorumLeader", "KafkaControllerDown",
        "KafkaBrokerDown", "KafkaDiskUsageHigh",
    }  # fmt: skip
    assert "< 6" in alerts["KafkaBrokerDown"]["expr"] and 'kraft_pool="brokers"' in alerts["KafkaBrokerDown"]["expr"]
    assert "< 3" in alerts["KafkaControllerDown"]["expr"]
    assert alerts["KafkaDiskUsageHigh"]["expr"].endswith("> 70")
    assert (
        'persistentvolumeclaim=~"(data-kafka-controllers|data-kafka-brokers)-[0-9]+"'
        in alerts["KafkaDiskUsageHigh"]["expr"]
    )
    for alert in alerts.values():
        assert 'namespace="streaming"' in alert["expr"]
        assert alert["labels"]["severity"] in ("warning", "critical")
    produced = jmx_exporter.exposed_names() | {"up", monitoring.VOLUME_USED, monitoring.VOLUME_CAPACITY}
    assert queried_metrics(alert["expr"] for alert in alerts.values()) <= produced


# --- the Grafana dashboard ------------------------------------------------------------------------------------

PROMQL_WORDS = {
    "sum", "max", "min", "avg", "count", "by", "without", "on", "or", "and", "unless", "rate", "irate", "increase",
    "absent", "histogram_quantile", "scalar", "topk", "bottomk", "clamp_min", "label_replace", "offset", "bool", "group_left",
}  # fmt: skip


def queried_metrics(expressions: Any) -> set[str]:
    """The metric names a set of PromQL expressions reads (label names, functions and keywords left out)."""
    names = set()
    for expression in expressions:
        without_strings = re.sub(r'"[^"]*"', '""', expression)
        without_labels = re.sub(r"\{[^}]*\}", "", without_strings)
        without_ranges = re.sub(r"\[[^]]*\]", "", without_labels)
        without_groupings = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", without_ranges)
        names |= {
            word for word in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", without_groupings) if word not in PROMQL_WORDS
        }
    return names


def dashboard_expressions() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])]


def test_every_metric_the_dashboard_queries_is_one_the_nodes_serve() -> None:
    expressions = dashboard_expressions()
    assert len(expressions) >= 15
    served = jmx_exporter.exposed_names() | set(jmx_exporter.AGENT_JVM_METRICS)
    served |= {"up", monitoring.VOLUME_USED, monitoring.VOLUME_CAPACITY}
    assert queried_metrics(expressions) - served == set()
    assert {"kafka_server_under_replicated_partitions", "kafka_raft_current_leader", "jvm_memory_used_bytes"} <= (
        queried_metrics(expressions)
    )


def test_the_metric_reader_finds_names_and_only_names() -> None:
    assert queried_metrics(['sum by (pod) (rate(kafka_network_requests_total{request="Produce"}[5m])) or up']) == {
        "kafka_network_requests_total", "up",
    }  # fmt: skip


def test_the_stacks_of_staging_and_prod_serve_metrics_to_the_monitoring_namespace() -> None:
    for stack in ("staging", "prod"):
        spec = parse_spec(
            yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]["kraft:cluster"]
        )
        assert spec.metrics.enabled and spec.metrics.scrape_from
    assert not objects(deploy({}), "PodMonitor")


def test_the_metrics_page_names_every_metric_the_rules_produce() -> None:
    page = (ROOT / "docs" / "operations-metrics.md").read_text()
    assert [name for name in sorted(jmx_exporter.exposed_names()) if f"`{name}`" not in page] == []


def test_the_disk_alert_watches_every_data_volume_of_every_pool() -> None:
    spec = parse_spec({
        "pools": [
            {"name": "controllers", "roles": ["controller"], "replicas": 3},
            {"name": "brokers", "roles": ["broker"], "replicas": 3,
             "storage": {"volumes": [{"name": "data", "size": "1Ti"}, {"name": "data2", "size": "1Ti"}]}},
        ],
        "metrics": {"enabled": True, "prometheusRule": {"enabled": True}},
    })  # fmt: skip
    (disk,) = [alert for alert in monitoring.alerts(spec, "kafka") if alert["alert"] == "KafkaDiskUsageHigh"]
    pattern = re.search(r'persistentvolumeclaim=~"([^"]+)"', disk["expr"])
    assert pattern is not None
    claims = ["data-kafka-controllers-2", "data-kafka-brokers-0", "data2-kafka-brokers-2"]
    assert all(re.fullmatch(pattern[1], claim) for claim in claims)
    assert not re.fullmatch(pattern[1], "data-other-brokers-0")
