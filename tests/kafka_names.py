"""Real Kafka configuration names per release, from ../shared/data/kafka (extracted from Kafka's ConfigDef)."""

import json
import os
import re
from functools import cache
from pathlib import Path

import pytest

DATA = Path(os.environ.get("KRAFT_KAFKA_DATA", Path(__file__).resolve().parents[2] / "shared" / "data" / "kafka"))

# Keys a broker reads that are not ConfigDef names (non-configdef-keys.md).
_PATTERNS = (
    re.compile(r"^listener\.name\.[a-z0-9_]+\.(ssl|sasl|connections)\..+$"),
    re.compile(r"^listener\.name\.[a-z0-9_]+\.[a-z0-9-]+\.sasl\.[a-z.]+$"),
    re.compile(r"^(super\.users|allow\.everyone\.if\.no\.acl\.found)$"),
    re.compile(r"^config\.providers\.[A-Za-z0-9_-]+\.(class|param\..+)$"),
    re.compile(r"^(rsm|rlmm)\.config\..+$"),
    re.compile(r"^metrics\.jmx\.(include|exclude)$"),
)


def require_data() -> Path:
    """The data folder, or a skip that names the missing path (CI checks it exists first)."""
    if not (DATA / "broker-configs.json").is_file():
        pytest.skip(f"Kafka config-name data not found at {DATA} (set KRAFT_KAFKA_DATA)")
    return DATA


@cache
def config_names(kafka_version: str) -> frozenset[str]:
    """Every name a broker or controller of `kafka_version` accepts in server.properties (public + internal)."""
    versions = json.loads((require_data() / "broker-configs.json").read_text())["versions"]
    release = versions.get(kafka_version) or versions[f"{kafka_version}~"]
    return frozenset(release["public"]) | frozenset(release.get("internal", []))


@cache
def removed_in_4() -> frozenset[str]:
    """Keys of 3.9.2 that Kafka 4.0 removed."""
    return frozenset((require_data() / "removed-3.9.2-to-4.0.txt").read_text().split())


def is_known(name: str, kafka_version: str) -> bool:
    """Whether `name` is a real server.properties key for `kafka_version`."""
    return name in config_names(kafka_version) or any(pattern.match(name) for pattern in _PATTERNS)
