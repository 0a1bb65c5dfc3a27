"""Property-based tests over random but plausible stack configs.

Each drawn `kraft:cluster` either fails validation with InvalidSpec naming the offending key path, or renders
(through `render`, the real program and component) objects that pass gates 1-4. The generator records the
values it breaks on purpose; an oracle written independently of spec.py predicts the cross-field rules, so
a config is refused exactly when it should be, and only for the keys that are wrong.

Profiles: the default run is 500 derandomized examples (deterministic in CI, about 20 s);
`HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz.py` runs 10,000 random ones (about 7 min).
What the fuzz found is kept as regression tests at the end.
"""

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from kraft_component.kafka_config import owned_properties
from kraft_component.kafka_overrides import owned_keys, unprefixed
from kraft_component.kafka_release import broker_config
from kraft_component.quantity import parse_quantity, quantity_text
from kraft_component.render import RenderError, one_line, render
from kraft_component.spec import KAFKA_INT_MAX, KAFKA_VERSIONS, MIN_MEMORY_LIMIT, ClusterSpec, InvalidSpec, parse_spec
from tests.gates import quantity
from tests.gates.offline import offline_gates
from tests.gates.schema import SUPPORTED_KUBERNETES, quantity_problem
from tests.helpers import ROOT

settings.register_profile(
    "kraft-default",
    max_examples=500,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
FUZZ = settings.get_profile("long" if os.environ.get("HYPOTHESIS_PROFILE") == "long" else "kraft-default")

KEY = "kraft:cluster"
STACK = "dev"  # any stack of the project: --config replaces its kraft:cluster with the drawn one
CLUSTER_SCHEMA = Draft202012Validator(json.loads((ROOT / "docs" / "kraft-cluster.schema.json").read_text()))
NEVER = st.just(False)
SOMETIMES = st.sampled_from((False,) * 7 + (True,))  # shrinks towards False: the valid value


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Draw from one of `choices`, each picked in proportion to its weight (one_of would treat them alike)."""
    return st.sampled_from([strategy for weight, strategy in choices for _ in range(weight)]).flatmap(lambda s: s)


# Value pools: what a user plausibly writes, and what a user plausibly gets wrong.
LOWER, ALNUM = "abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz0123456789"


def dns_labels(max_size: int, min_size: int = 1) -> st.SearchStrategy[str]:
    """Labels a spec accepts: a letter, then a-z, 0-9 and '-', ending in a letter or digit."""
    longer = st.builds(
        lambda first, middle, last: first + middle + last,
        st.sampled_from(LOWER),
        st.text(ALNUM + "-", min_size=max(min_size - 2, 0), max_size=max_size - 2),
        st.sampled_from(ALNUM),
    )
    return st.sampled_from(LOWER) | longer if min_size == 1 else longer


DNS_LABEL = dns_labels(16)
LONG_DNS_LABEL = dns_labels(42, min_size=22)
NAMESPACE = dns_labels(63)
BAD_LABEL = st.sampled_from(["Kafka", "9lives", "a_b", "-x", "x-", "", "kafka.eu", "n" * 64])
POOL_NAME = st.sampled_from(["brokers", "controllers", "nodes", "client"]) | DNS_LABEL | LONG_DNS_LABEL  # may repeat
# A role listed twice is a rule (checked once the pool's fields are valid), so it is drawn as a "valid" value.
ROLES = st.sampled_from(
    [["broker", "controller"], ["controller"], ["broker"], ["controller", "broker"]] * 10 + [["broker"] * 2]
)
BAD_ROLES = st.sampled_from([[], ["zookeeper"], ["broker", "controller", "broker"], "broker"])
# The roles of each pool: one combined pool, dedicated controllers and broker pools, or anything.
COMBINED, CONTROLLERS, BROKERS = st.just(["broker", "controller"]), st.just(["controller"]), st.just(["broker"])
FIXED_SHAPES = st.sampled_from([[COMBINED], [CONTROLLERS, BROKERS], [CONTROLLERS, BROKERS, BROKERS]])
SHAPES = weighted((3, FIXED_SHAPES), (1, st.lists(st.just(ROLES), min_size=1, max_size=4)))
# Kubernetes takes a quantity as text or as a number (YAML `cpu: 1`, `memory: 1073741824`).
CPU = ["100m", "250m", "500m", "1", "2", "4", "1.5", "2000m", 1, 0.5, 2.25]
MEMORY = ["512Mi", "0.5Gi", "1Gi", "1536Mi", "2Gi", "4Gi", "16Gi", "1.1G", "3e9", 1073741824, 4.5e9]
SIZE = st.sampled_from(["1Gi", "20Gi", "100Gi", "1Ti", "500G", "1.5Ti", "1E", "2Ei", 21474836480, 1.5e12])
BAD_QUANTITY = st.sampled_from(["4Gii", "lots", "1.5.2", "-1Gi", "2 Gi", "1GB", "Gi", "1e", "0x10"])
STORAGE_CLASS = st.sampled_from(["fast-ssd", "standard", "gp3", "local.path"])
BAD_STORAGE_CLASS = st.sampled_from(["Fast_SSD", "ssd class", "-ssd", "a" * 254])
SPREAD = st.sampled_from(["required", "preferred"])
NODE_SELECTOR = st.dictionaries(
    st.sampled_from(["disktype", "topology.kubernetes.io/zone", "kraft.example.com/pool"]),
    st.sampled_from(["ssd", "eu-west-1a", "kafka", ""]),
    max_size=2,
)
BAD_NODE_SELECTOR = st.sampled_from([{"disk type": "ssd"}, {"disktype": "fast ssd"}, {"-x": "y"}, {"a/b/c": "x"}])
# kafkaConfig entries valid on every supported release (and with the drawn listeners), and what a user plausibly
# gets wrong: a misspelt or removed name, a value Kafka refuses, a key kraft sets, a listener that does not exist.
GOOD_SETTINGS = st.sampled_from([
    ("log.retention.hours", 168), ("log.retention.hours", "72"), ("message.max.bytes", 2097152),
    ("auto.create.topics.enable", True), ("compression.type", "zstd"), ("log.cleanup.policy", ["compact", "delete"]),
    ("num.io.threads", 16), ("log.cleaner.min.cleanable.ratio", 0.25), ("listener.name.client.max.connections", 500),
    ("listener.name.client.ssl.enabled.protocols", ["TLSv1.3"]), ("rsm.config.bucket", "tiers"),
    ("unclean.leader.election.enable", "false"), ("listener.name.internal.ssl.cipher.suites", "TLS_AES_256_GCM_SHA384"),
])  # fmt: skip
BAD_SETTINGS = st.sampled_from([
    ("mesage.max.bytes", 1), ("message.max.bytes", "2MB"), ("num.io.threads", 0), ("compression.type", "brotli"),
    ("node.id", 7), ("log.dirs", "/data"), ("num.partitions", 12), ("listener.name.clinet.max.connections", 5),
    ("listener.name.client.log.retention.hours", 1), ("ssl.keystore.location", "/k.jks"), ("retention.ms", 1000),
    ("log.retention.hours", [1, 2]), ("delegation.token.secret.key", "s3cret"),
    ("listener.name.external.max.connections", 5), ("broker.rack", "a"), ("controller.quorum.voters", "0@x:9093"),
])  # fmt: skip
MALFORMED_SETTINGS = st.sampled_from(
    [("message max bytes", 1), ("log.flush.interval.ms", None), ("log.segment.bytes", {"mb": 1})]
)


# Tailoring: pod templates, log levels and data volumes.
TOLERATION = st.sampled_from(
    [
        {"key": "dedicated", "value": "kafka", "effect": "NoSchedule"},
        {"key": "kafka", "operator": "Exists"},
        {"operator": "Exists"},
        {"key": "spot", "value": "", "effect": "PreferNoSchedule"},
        {
            "key": "node.kubernetes.io/unreachable",
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 300,
        },
    ]
)
BAD_TOLERATION = st.sampled_from(
    [
        {"key": "k", "effect": "NoSchedul"},
        {"value": "v"},
        {"key": "k", "operator": "Exists", "value": "v"},
        {"key": "k", "tolerationSeconds": 5},
        {"key": "bad key"},
        {"key": "k", "operator": "exists"},
    ]
)
NODE_TERM = st.sampled_from(
    [
        {"matchExpressions": [{"key": "disktype", "operator": "In", "values": ["ssd", "nvme"]}]},
        {
            "matchExpressions": [
                {"key": "example.com/gen", "operator": "Gt", "values": ["5"]},
                {"key": "spot", "operator": "DoesNotExist"},
            ]
        },
    ]
)
BAD_NODE_TERM = st.sampled_from(
    [
        {"matchExpressions": []},
        {"matchExpressions": [{"key": "a", "operator": "In"}]},
        {"matchExpressions": [{"key": "a", "operator": "Lt", "values": ["x"]}]},
    ]
)
POD_TERM = st.sampled_from(
    [
        {"labelSelector": {"matchLabels": {"app": "zookeeper"}}, "topologyKey": "kubernetes.io/hostname"},
        {
            "labelSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["db"]}]},
            "topologyKey": "topology.kubernetes.io/zone",
            "namespaces": ["other"],
        },
    ]
)
BAD_POD_TERM = st.sampled_from(
    [
        {"labelSelector": {}, "topologyKey": "zone"},
        {"labelSelector": {"matchLabels": {"a": "b"}}, "topologyKey": "bad key"},
        {
            "labelSelector": {"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]},
            "topologyKey": "zone",
        },
    ]
)
WEIGHTS = st.integers(1, 100)
NODE_AFFINITY = st.fixed_dictionaries(
    {},
    optional={
        "required": st.lists(NODE_TERM, min_size=1, max_size=2),
        "preferred": st.lists(st.builds(lambda w, t: {"weight": w, "preference": t}, WEIGHTS, NODE_TERM), max_size=2),
    },
)
BAD_NODE_AFFINITY = st.builds(lambda term: {"required": [term]}, BAD_NODE_TERM) | st.just(
    {"preferred": [{"weight": 0, "preference": {"matchExpressions": [{"key": "a", "operator": "Exists"}]}}]}
)
ANTI_AFFINITY = st.fixed_dictionaries(
    {},
    optional={
        "required": st.lists(POD_TERM, max_size=2),
        "preferred": st.lists(
            st.builds(lambda w, t: {"weight": w, "podAffinityTerm": t}, WEIGHTS, POD_TERM), max_size=2
        ),
    },
)
BAD_ANTI_AFFINITY = st.builds(lambda term: {"required": [term]}, BAD_POD_TERM)
METADATA = st.fixed_dictionaries(
    {},
    optional={
        "labels": st.dictionaries(
            st.sampled_from(["team", "example.com/tier", "app.kubernetes.io/part-of"]),
            st.sampled_from(["a", "x.y", ""]),
            max_size=2,
        ),
        "annotations": st.dictionaries(
            st.sampled_from(["example.com/note", "sidecar.istio.io/inject"]),
            st.sampled_from(["x", "false", "a b: c"]),
            max_size=2,
        ),
    },
)
BAD_METADATA = st.sampled_from(
    [
        {"labels": {"kraft/pool": "x"}},
        {"labels": {"app.kubernetes.io/name": "x"}},
        {"annotations": {"pulumi.com/skipAwait": "true"}},
        {"labels": {"team": "a b"}},
        {"labels": {"-x": "y"}},
    ]
)
# A name set twice is a rule of the template (checked once its keys are valid), so it is drawn as a "valid" value.
ENV = weighted(
    (9, st.lists(
        st.builds(
            lambda name, value: {"name": name, "value": value},
            st.sampled_from(["TZ", "JAVA_TOOL_OPTIONS", "my_var"]),
            st.sampled_from(["UTC", "", "a b"]),
        ),
        max_size=3,
        unique_by=lambda variable: variable["name"],
    )),
    (1, st.just([{"name": "A"}, {"name": "A"}])),
)  # fmt: skip
BAD_ENV = st.sampled_from(
    [
        [{"name": "KAFKA_HEAP_OPTS", "value": "-Xmx1g"}],
        [{"name": "KRAFT_TEMPLATE"}],
        [{"name": "1A"}],
        [{"name": "KAFKA_OPTS"}],
    ]
)
HEAPS = st.sampled_from(["256Mi", "512Mi", "768Mi", "1Gi", "6Gi"])  # 1Gi and 6Gi may not fit a pool's limit
JVM = st.fixed_dictionaries(
    {},
    optional={
        "gc": st.sampled_from(["G1", "ZGC"]),
        "heap": HEAPS,
        "extraFlags": st.lists(
            st.sampled_from(["-XX:+ExitOnOutOfMemoryError", "-Xlog:gc*:stdout", "-Dfoo=bar", "-XX:+AlwaysPreTouch"]),
            max_size=3,
        ),
    },
)
BAD_JVM = st.sampled_from(
    [
        {"gc": "CMS"},
        {"heap": "3GB"},
        {"heap": "1Ki"},
        {"extraFlags": ["-Xmx1g"]},
        {"extraFlags": ["-XX:+UseParallelGC"]},
        {"extraFlags": ["-Da=1 -Db=2"]},
    ]
)
LEVELS = ["OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL"]
LOGGING = st.fixed_dictionaries(
    {},
    optional={
        "root": st.sampled_from(LEVELS),
        "loggers": st.dictionaries(
            st.sampled_from(["kafka.controller", "org.apache.kafka.raft", "state.change.logger", "on"]),
            st.sampled_from(LEVELS),
            max_size=3,
        ),
    },
)
BAD_LOGGING = st.sampled_from(
    [
        {"root": "debug"},
        {"loggers": {"kafka..x": "INFO"}},
        {"loggers": {"kafka": "VERBOSE"}},
        {"level": "INFO"},
    ]
)
# Volume names without '-': then no two pools' claims can share a name (spec.py refuses that separately).
VOLUME = st.builds(
    lambda name, size, grown, storage_class: (
        {"name": name, "size": size}
        | ({"templateSize": "1Gi"} if grown else {})
        | ({"storageClass": storage_class} if storage_class else {})
    ),
    st.sampled_from(["data", "fast", "bulk"]),
    SIZE,
    st.booleans(),
    st.none() | STORAGE_CLASS,
)
VOLUMES = st.lists(VOLUME, min_size=1, max_size=3, unique_by=lambda volume: volume["name"])
BAD_VOLUMES: st.SearchStrategy[dict[str, Any]] = st.sampled_from([
    {"volumes": [{"name": "tmp", "size": "1Gi"}]}, {"volumes": [{"name": "a", "size": "1Gi"}] * 2},
    {"size": "1Gi", "volumes": [{"name": "a", "size": "1Gi"}]}, {"volumes": [{"name": "a"}]},
    {"volumes": [{"name": "a", "size": "1Gi", "templateSize": "2Gi"}]},
])  # fmt: skip


@dataclass
class Draft:
    """A drawn config and the key paths (below kraft:cluster) the generator broke on purpose."""

    config: dict[str, Any] = field(default_factory=dict)
    defects: list[str] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)
    """Broken kafkaConfig keys: checked against the release once every other key is valid."""
    breaks: st.SearchStrategy[bool] = NEVER
    """Whether to break the next value: never in a clean draft, sometimes in a broken one."""
    breaks_settings: st.SearchStrategy[bool] = NEVER
    """The same for kafkaConfig, drawn on its own: settings are checked once the rest is valid."""

    def put(
        self,
        draw: st.DrawFn,
        target: dict[str, Any],
        path: str,
        valid: st.SearchStrategy[Any],
        *,
        bad: st.SearchStrategy[Any] | None = None,
        optional: bool = True,
    ) -> None:
        """Set the key at the end of `path` in `target` to a valid value, or sometimes to a `bad` one (recorded);
        optional keys may be left out."""
        if optional and not draw(st.booleans()):
            return
        key = path.rpartition(".")[2]
        if bad is not None and draw(self.breaks):
            self.defects.append(path)
            target[key] = draw(bad)
        else:
            target[key] = draw(valid)


def _resources(draw: st.DrawFn, draft: Draft, path: str) -> dict[str, Any]:
    """A limit, then mostly a request within it; rarely one above it (a rule the oracle predicts)."""
    limits: dict[str, Any] = {}
    requests: dict[str, Any] = {}
    for resource, values in (("cpu", CPU), ("memory", MEMORY)):
        usual = st.sampled_from(values[2:])  # memory: at least 1Gi
        limit_values = weighted((3, usual), (1, st.sampled_from(values)))
        draft.put(draw, limits, f"{path}.limits.{resource}", limit_values, bad=BAD_QUANTITY, optional=False)
        limit = limits[resource]
        within = [value for value in values if limit in values and amount(value) <= amount(limit)]
        choices = values if draw(draft.breaks) or not within else within
        requested = st.sampled_from(choices)
        draft.put(draw, requests, f"{path}.requests.{resource}", requested, bad=BAD_QUANTITY, optional=False)
    return {"requests": requests, "limits": limits}


def one(bad: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    """A list of one bad item."""
    return st.lists(bad, min_size=1, max_size=1)


def _template(draw: st.DrawFn, draft: Draft, path: str) -> dict[str, Any]:
    """A pod template: each field sometimes, each sometimes broken."""
    template: dict[str, Any] = {}
    draft.put(draw, template, f"{path}.tolerations", st.lists(TOLERATION, max_size=3), bad=one(BAD_TOLERATION))
    draft.put(draw, template, f"{path}.nodeAffinity", NODE_AFFINITY, bad=BAD_NODE_AFFINITY)
    draft.put(draw, template, f"{path}.podAntiAffinity", ANTI_AFFINITY, bad=BAD_ANTI_AFFINITY)
    names, bad_names = st.sampled_from(["kafka", "kafka.critical", "high"]), st.sampled_from(["High", "-x", "a b"])
    draft.put(draw, template, f"{path}.priorityClassName", names, bad=bad_names)
    draft.put(draw, template, f"{path}.serviceAccountName", names, bad=bad_names)
    draft.put(draw, template, f"{path}.imagePullSecrets", st.lists(names, max_size=2), bad=one(bad_names))
    graces, bad_graces = st.integers(30, 86400), st.sampled_from([0, 29, 86401])
    draft.put(draw, template, f"{path}.terminationGracePeriodSeconds", graces, bad=bad_graces)
    draft.put(draw, template, f"{path}.env", ENV, bad=BAD_ENV)
    draft.put(draw, template, f"{path}.jvm", JVM, bad=BAD_JVM)
    for kind in ("pod", "statefulSet", "service"):
        draft.put(draw, template, f"{path}.{kind}", METADATA, bad=BAD_METADATA)
    return template


def _storage(draw: st.DrawFn, draft: Draft, path: str) -> dict[str, Any]:
    """One volume (size, storageClass) or several (volumes), sometimes mixed or broken."""
    storage: dict[str, Any] = {}
    if draw(st.booleans()):
        draft.put(draw, storage, f"{path}.size", SIZE, bad=BAD_QUANTITY)
        draft.put(draw, storage, f"{path}.storageClass", STORAGE_CLASS, bad=BAD_STORAGE_CLASS)
    elif draw(draft.breaks):
        draft.defects.append(path)
        storage = draw(BAD_VOLUMES)
    else:
        storage["volumes"] = draw(VOLUMES)
    return storage


def _pool(draw: st.DrawFn, draft: Draft, index: int, roles: st.SearchStrategy[list[str]]) -> dict[str, Any]:
    path = f"pools[{index}]"
    pool: dict[str, Any] = {}
    names = st.just(f"pool{index}") | POOL_NAME
    draft.put(draw, pool, f"{path}.name", names, bad=BAD_LABEL, optional=False)
    draft.put(draw, pool, f"{path}.roles", roles, bad=BAD_ROLES, optional=False)
    voting = isinstance(pool["roles"], list) and "controller" in pool["roles"]
    replicas = (
        weighted((3, st.sampled_from([3, 5])), (1, st.integers(1, 7)))
        if voting
        else st.integers(1, 5) | st.integers(1, 150)
    )
    draft.put(draw, pool, f"{path}.replicas", replicas, bad=st.sampled_from([0, -1, 1001]), optional=False)
    if draw(st.sampled_from((False, False, False, True))):
        offsets = st.sampled_from([0, 100, 200]) | st.integers(0, 400) | st.integers(KAFKA_INT_MAX - 200, KAFKA_INT_MAX)
        draft.put(draw, pool, f"{path}.nodeIdOffset", offsets, bad=st.just(-1), optional=False)
    if draw(st.booleans()):
        pool["resources"] = _resources(draw, draft, f"{path}.resources")
    if draw(st.booleans()):
        pool["storage"] = _storage(draw, draft, f"{path}.storage")
    if draw(st.booleans()):
        scheduling: dict[str, Any] = {}
        bad_spread = st.sampled_from(["always", "Required", ""])
        draft.put(draw, scheduling, f"{path}.scheduling.zoneSpread", SPREAD, bad=bad_spread)
        draft.put(draw, scheduling, f"{path}.scheduling.hostSpread", SPREAD, bad=bad_spread)
        draft.put(draw, scheduling, f"{path}.scheduling.nodeSelector", NODE_SELECTOR, bad=BAD_NODE_SELECTOR)
        pool["scheduling"] = scheduling
    timeouts, bad_timeouts = st.integers(30, 86400), st.sampled_from([0, 29, 86401])
    draft.put(draw, pool, f"{path}.startupTimeoutSeconds", timeouts, bad=bad_timeouts)
    if draw(st.sampled_from((False, False, True))):
        pool["template"] = _template(draw, draft, f"{path}.template")
    draft.put(draw, pool, f"{path}.logging", LOGGING, bad=BAD_LOGGING)
    if draw(SOMETIMES):
        pool["kafkaConfig"] = _kafka_config(draw, draft, f"{path}.kafkaConfig")
    if draw(draft.breaks):
        pool["replica"] = 3
        draft.defects.append(f"{path}.replica")
    return pool


def _setting_path(path: str, name: str) -> str:
    return f"{path}.{json.dumps(name)}"  # every drawn name has a dot, so the path quotes it


def _kafka_config(draw: st.DrawFn, draft: Draft, path: str) -> dict[str, Any]:
    """Valid settings, sometimes one Kafka or kraft refuses and one of no Kafka shape at all."""
    config: dict[str, Any] = dict(draw(st.lists(GOOD_SETTINGS, max_size=4)))
    for kind, breaks, records in (
        (BAD_SETTINGS, draft.breaks_settings, draft.overrides),
        (MALFORMED_SETTINGS, draft.breaks, draft.defects),
    ):
        if draw(breaks):
            name, value = draw(kind)
            config[name] = value
            records.append(_setting_path(path, name))
    return config


def _quorum(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    quorum: dict[str, Any] = {}
    modes, bad_modes = st.sampled_from(["static", "dynamic"]), st.sampled_from(["Dynamic", "kip-853", ""])
    draft.put(draw, quorum, "quorum.mode", modes, bad=bad_modes)
    draft.put(draw, quorum, "quorum.initialControllers", st.integers(1, 7), bad=st.sampled_from([0, -1, "three"]))
    return quorum


def _brokers_drawn(config: dict[str, Any]) -> int:
    """The broker count of the drawn pools, as far as they are valid (3 for the default pool)."""
    pools = config.get("pools", DEFAULT_POOLS)
    return sum(
        pool["replicas"]
        for pool in pools
        if isinstance(pool.get("replicas"), int) and pool["replicas"] > 0
        and isinstance(pool.get("roles"), list) and "broker" in pool["roles"]
    )  # fmt: skip


def _around(edge: int) -> list[int]:
    """Valid counts (at least 1) just below, at and just above `edge`."""
    return sorted({max(value, 1) for value in (edge - 1, edge, edge + 1)})


def _topic_defaults(draw: st.DrawFn, draft: Draft, brokers: int) -> dict[str, Any]:
    """Topic defaults, often at the edges the rules draw: the broker count and the replication factor."""
    topics: dict[str, Any] = {}
    bad = st.sampled_from([0, -2])
    partitions = st.integers(1, 50) | st.just(KAFKA_INT_MAX)
    draft.put(draw, topics, "topicDefaults.partitions", partitions, bad=bad | st.just(KAFKA_INT_MAX + 1))
    factors = st.integers(1, 4) | st.sampled_from(_around(brokers))
    draft.put(draw, topics, "topicDefaults.replicationFactor", factors, bad=bad)
    given = topics.get("replicationFactor")
    factor: int = given if isinstance(given, int) and given > 0 else min(3, brokers)
    in_sync = st.integers(1, 3) | st.sampled_from(_around(factor))
    draft.put(draw, topics, "topicDefaults.minInsyncReplicas", in_sync, bad=bad)
    return topics


@st.composite
def drafts(draw: st.DrawFn) -> Draft:
    """A `kraft:cluster` value: mostly valid, sometimes with bad values, unknown keys or broken rules."""
    draft = Draft(
        breaks=draw(st.sampled_from([NEVER, NEVER, SOMETIMES])),
        breaks_settings=draw(st.sampled_from([NEVER, st.booleans()])),
    )
    config = draft.config
    names = weighted((1, st.just("kafka")), (3, DNS_LABEL), (1, LONG_DNS_LABEL))
    draft.put(draw, config, "name", names, bad=BAD_LABEL)
    draft.put(draw, config, "namespace", NAMESPACE, bad=BAD_LABEL)
    versions, bad_versions = st.sampled_from(KAFKA_VERSIONS), st.sampled_from(["3.8.0", "4.5.0", "latest", "4.1"])
    draft.put(draw, config, "kafkaVersion", versions, bad=bad_versions)
    policies = st.sampled_from(["Always", "IfNotPresent", "Never"])
    draft.put(draw, config, "imagePullPolicy", policies, bad=st.sampled_from(["always", "Sometimes"]))
    profiles = st.sampled_from(["production", "development"])
    draft.put(draw, config, "profile", profiles, bad=st.sampled_from(["prod", "Production"]))
    domains = st.sampled_from(["cluster.local", "k8s.internal"])
    draft.put(draw, config, "clusterDomain", domains, bad=st.none())
    if draw(draft.breaks):
        config["pools"] = []
        draft.defects.append("pools")
    elif draw(st.sampled_from((True, True, True, False))):
        config["pools"] = [_pool(draw, draft, index, roles) for index, roles in enumerate(draw(SHAPES))]
    if draw(st.booleans()):
        config["topicDefaults"] = _topic_defaults(draw, draft, _brokers_drawn(config))
    if draw(st.booleans()):
        config["quorum"] = _quorum(draw, draft)
    if draw(st.sampled_from((False, False, True))):
        config["template"] = _template(draw, draft, "template")
    draft.put(draw, config, "logging", LOGGING, bad=BAD_LOGGING)
    if draw(st.booleans()):
        config["kafkaConfig"] = _kafka_config(draw, draft, "kafkaConfig")
    if draw(draft.breaks):
        config["zookeeper"] = {"connect": "zk:2181"}
        draft.defects.append("zookeeper")
    return draft


# The oracle: the rules between keys, stated from the docs, not from spec.py.
DEFAULT_POOLS = [
    {"name": "controllers", "roles": ["controller"], "replicas": 3},
    {"name": "brokers", "roles": ["broker"], "replicas": 3},
]


def amount(quantity: Any) -> Any:
    """The value of a quantity written as text or as a number."""
    return parse_quantity(quantity_text(quantity))


MAX_STATEFULSET_NAME, MAX_DNS_LABEL = 52, 63
KRAFT_FILES = ("log4j", "client", "controller-client")


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))


def _resource_rules(resources: dict[str, Any], path: str) -> list[str]:
    broken = []
    for resource in ("cpu", "memory"):
        if amount(resources["requests"][resource]) > amount(resources["limits"][resource]):
            broken.append(f"{path}.requests.{resource}")
    if amount(resources["limits"]["memory"]) < amount(MIN_MEMORY_LIMIT):
        broken.append(f"{path}.limits.memory")
    return broken


def _overlaps(pools: list[dict[str, Any]]) -> list[str]:
    """Pools whose explicit node-ID range meets an earlier explicit one (defaults never collide)."""
    broken = []
    ranges = [
        range(pool["nodeIdOffset"], pool["nodeIdOffset"] + pool["replicas"]) if "nodeIdOffset" in pool else None
        for pool in pools
    ]
    for later, mine in enumerate(ranges):
        earlier = [other for other in ranges[:later] if other is not None]
        if mine is not None and any(mine.start < other.stop and other.start < mine.stop for other in earlier):
            broken.append(f"pools[{later}].nodeIdOffset")
    return broken


def _name_rules(name: str, pools: list[dict[str, Any]]) -> list[str]:
    broken, seen = [], set()
    for index, pool in enumerate(pools):
        statefulset = f"{name}-{pool['name']}"
        longest = max(len(f"{statefulset}-{pool['replicas'] - 1}"), len(f"{name}-headless"))
        taken = pool["name"] in seen or pool["name"] in KRAFT_FILES  # <pool>.properties beside kraft's own
        if taken or len(statefulset) > MAX_STATEFULSET_NAME or longest > MAX_DNS_LABEL:
            broken.append(f"pools[{index}].name")
        seen.add(pool["name"])
    return broken


def _topic_rules(topics: dict[str, Any], brokers: int) -> list[str]:
    factor = topics.get("replicationFactor") or min(3, brokers)
    min_isr = topics.get("minInsyncReplicas") or max(1, factor - 1)
    broken = []
    if factor > brokers:
        broken.append("topicDefaults.replicationFactor")
    if min_isr >= factor and not factor == min_isr == 1:
        broken.append("topicDefaults.minInsyncReplicas")
    return broken


def _env_rule(owner: dict[str, Any], path: str, defects: list[str]) -> list[str]:
    """A template sets each environment variable once (checked once the template's keys are valid)."""
    names = [variable.get("name") for variable in owner.get("template", {}).get("env", [])]
    repeated = len(set(names)) != len(names) and not any(_under(d, path) for d in defects)
    return [f"{path}.env"] if repeated else []


def rule_violations(draft: Draft) -> list[str]:
    """Key paths that break a rule between keys; a rule is only checked once the keys it reads are valid."""
    config, defects = draft.config, draft.defects
    pools = config.get("pools", DEFAULT_POOLS)
    broken = _env_rule(config, "template", defects)
    for index, pool in enumerate(pools):
        broken += _env_rule(pool, f"pools[{index}].template", defects)
        resources = f"pools[{index}].resources"
        if "resources" in pool and not any(_under(d, resources) for d in defects):
            broken += _resource_rules(pool["resources"], resources)
        roles = pool.get("roles")
        if isinstance(roles, list) and len(roles) == 2 and roles[0] == roles[1]:
            broken.append(f"pools[{index}].roles")
        if pool.get("nodeIdOffset", 0) + pool.get("replicas", 1) - 1 > KAFKA_INT_MAX:  # node.id is a Java int
            broken.append(f"pools[{index}].nodeIdOffset")
        if isinstance(roles, list) and "broker" not in roles and len(pool.get("storage", {}).get("volumes", [])) > 1:
            broken.append(f"pools[{index}].storage.volumes")  # a controller keeps only the metadata log
    quorum = config.get("quorum", {})
    dynamic = quorum.get("mode", "dynamic") == "dynamic"
    if not any(_under(d, "quorum") for d in defects) and not dynamic and "initialControllers" in quorum:
        broken.append("quorum.initialControllers")  # only a dynamic quorum has initial controllers
    if any(_under(d, "pools") for d in defects) or broken:
        return broken  # the cluster's own rules wait for valid pools
    roles = [set(pool["roles"]) for pool in pools]
    brokers = sum(pool["replicas"] for pool, pool_roles in zip(pools, roles, strict=True) if "broker" in pool_roles)
    broken += _name_rules(config.get("name", "kafka"), pools) if "name" not in defects else []
    broken += _overlaps(pools)
    voters = sum(pool["replicas"] for pool, pool_roles in zip(pools, roles, strict=True) if "controller" in pool_roles)
    production = config.get("profile", "production") != "development"
    if not voters or not brokers or (production and (voters < 3 or voters % 2 == 0)):
        broken.append("pools")  # a production quorum is an odd number of at least 3 voters
    elif not any(_under(d, "topicDefaults") for d in defects):
        broken += _topic_rules(config.get("topicDefaults", {}), brokers)
    if production:  # and production runs no combined node
        broken += [f"pools[{index}].roles" for index, found in enumerate(roles) if found == {"broker", "controller"}]
    if dynamic and sum("controller" in pool_roles for pool_roles in roles) > 1:
        broken.append("quorum.mode")  # the initial controllers are ordinals of the one controller pool
    if not any(_under(d, "template") for d in defects):
        broken += _heap_rules(config, pools)
    return broken


def _heap_rules(config: dict[str, Any], pools: list[dict[str, Any]]) -> list[str]:
    """A heap leaves 256Mi of its pool's memory limit (2Gi unless set) to the JVM's other memory."""
    broken = []
    for index, pool in enumerate(pools):
        own = pool.get("template", {}).get("jvm", {}).get("heap")
        heap = own or config.get("template", {}).get("jvm", {}).get("heap")
        limit = pool.get("resources", {}).get("limits", {}).get("memory", "2Gi")
        if heap and amount(heap) + 256 * 2**20 > amount(limit):
            broken.append(f"pools[{index}].template.jvm.heap" if own else "template.jvm.heap")
    return broken


_PROBLEM = re.compile(rf"^  {re.escape(KEY)}(?P<path>.*?)(?: \(the key\))?: ", re.MULTILINE)


def reported_paths(message: str) -> list[str]:
    """The key paths (below kraft:cluster) an InvalidSpec message names, one per problem line."""
    return [match["path"].removeprefix(".") for match in _PROBLEM.finditer(message)]


def unowned_keys(spec: ClusterSpec) -> set[str]:
    """Keys kraft writes for `spec` that kafkaConfig would not refuse (kafka_overrides derives its list from
    clusters with every feature on: this one must not add a key)."""
    keys = broker_config(spec.kafka_version)
    written = {name for pool in spec.pools for part in owned_properties(spec, pool, "k").values() for name in part}
    return {unprefixed(name, keys)[2] for name in written} - owned_keys().keys()


def check(draft: Draft, kubernetes_version: str) -> None:
    """Refused exactly for the broken keys (with the same message from render), or rendered and gate-clean."""
    rules = rule_violations(draft)
    expected = draft.defects + draft.overrides + rules
    try:
        spec = parse_spec(draft.config, key=KEY)
    except InvalidSpec as error:
        reported = reported_paths(str(error))
        assert expected, f"a valid config was refused:\n{error}"
        assert reported and all(any(_under(r, e) for e in expected) for r in reported), (reported, expected)
        assert all(any(_under(r, d) for r in reported) for d in draft.defects), (reported, draft.defects)
        if not draft.defects and not rules:  # every broken setting at once, each by its key
            assert sorted(reported) == sorted(set(draft.overrides)), (reported, draft.overrides)
            event("refused for kafkaConfig settings")
        with pytest.raises(RenderError) as refused:
            render(ROOT, STACK, {KEY: json.dumps(draft.config)})
        assert str(refused.value) == one_line(str(error))
        event("refused")
        return
    assert not expected, f"accepted although {expected} are wrong"
    assert unowned_keys(spec) == set()
    assert list(CLUSTER_SCHEMA.iter_errors(draft.config)) == [], "the editors' schema refuses what the spec accepts"
    objects = render(ROOT, STACK, {KEY: json.dumps(draft.config)})
    assert offline_gates(objects, (kubernetes_version,), spec.kafka_version) == []
    event(f"rendered {len(objects)} objects" if len(objects) < 10 else "rendered 10+ objects")


@FUZZ
@given(draft=drafts(), kubernetes_version=st.sampled_from(SUPPORTED_KUBERNETES))
def test_any_config_is_refused_by_key_or_renders_valid_objects(draft: Draft, kubernetes_version: str) -> None:
    check(draft, kubernetes_version)


@FUZZ
@given(text=st.from_regex(r"[+-]?[0-9.]{0,4}(e[+-]?[0-9]{1,2}|[numkKMGTPEi]{0,2})", fullmatch=True) | BAD_QUANTITY)
def test_every_quantity_the_spec_accepts_is_one_kubernetes_accepts_with_the_same_value(text: str) -> None:
    """spec.py's own quantity parser never accepts what the gates (the kubernetes client, the API grammar) refuse."""
    try:
        value = parse_quantity(text)
    except ValueError:
        return  # stricter than Kubernetes is safe (it refuses "-0", for one)
    assert quantity_problem(text) is None, text
    assert value == quantity(text), text


# Configs the fuzz found accepted and rendered into objects a gate failed (noted per case); spec.py now
# refuses each by its key, and the generator above draws such values as defects.
FOUND = {
    "namespace longer than 63": ({"namespace": "n" * 64}, "namespace"),  # gate 3: metadata.name of the Namespace
    "storage class syntax": (  # gate 3: volumeClaimTemplates[0].spec.storageClassName
        {"pools": [{"name": "nodes", "roles": ["broker", "controller"], "replicas": 3, "storage": {"storageClass": "Fast_SSD"}}]},
        "pools[0].storage.storageClass",
    ),
    "node selector syntax": (  # gate 3: spec.template.spec.nodeSelector
        {"pools": [{"name": "nodes", "roles": ["broker", "controller"], "replicas": 3, "scheduling": {"nodeSelector": {"disk type": "fast ssd"}}}]},
        "pools[0].scheduling.nodeSelector",
    ),
    "partitions beyond a Kafka INT": ({"topicDefaults": {"partitions": 2**31}}, "topicDefaults.partitions"),  # gate 4
    "node IDs beyond a Kafka INT": (  # gate 4: node.id of the last pod
        {"pools": [{"name": "nodes", "roles": ["broker", "controller"], "replicas": 3, "nodeIdOffset": 2**31 - 2}]},
        "pools[0].nodeIdOffset",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", FOUND)
def test_what_the_fuzz_found_is_refused_by_its_key(case: str) -> None:
    config, path = FOUND[case]
    with pytest.raises(InvalidSpec) as refused:
        parse_spec(config, key=KEY)
    assert any(_under(reported, path) for reported in reported_paths(str(refused.value))), str(refused.value)


@pytest.mark.parametrize(("text", "value"), [("1E", 10**18), ("1Ei", 2**60)])
def test_exa_quantities_are_accepted(text: str, value: int) -> None:
    """Found by the fuzz: `E` (exa) was read as the start of an exponent."""
    assert parse_quantity(text) == value == quantity(text)
