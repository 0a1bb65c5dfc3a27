"""Prometheus's JMX exporter Java agent from Maven Central, cached like the Kafka installs.

The pods get the agent from `metrics.agentImage` (by default `ghcr.io/adobe/koperator/jmx-javaagent:1.5.0`),
which no registry here serves. Maven Central serves the same agent, but only up to 1.0.1: from 1.1.0 the
project publishes the jar on GitHub releases only. So the real tier runs the rules with the agent 1.0.1.

The jar is cached as `${KRAFT_CACHE_DIR:-~/.cache/kraft}/jmx-exporter/<version>/jmx_prometheus_javaagent.jar`;
it only appears there complete (downloaded beside it, then renamed).
"""

import os
import tempfile
from pathlib import Path

from .kafka_install import copy_dependencies
from .prerequisites import cache_root

ARTIFACT = "io.prometheus.jmx:jmx_prometheus_javaagent"
VERSION = "1.0.1"  # the newest release on Maven Central
JAR = "jmx_prometheus_javaagent.jar"


def jar_path(version: str = VERSION) -> Path:
    """Where the agent jar of `version` is cached (whether or not it is there yet)."""
    return cache_root() / "jmx-exporter" / version / JAR


def install(version: str = VERSION) -> Path:
    """The agent jar of `version`, fetched from Maven Central (through ~/.m2) on first use."""
    target = jar_path(version)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".download-") as scratch:
        work = Path(scratch)
        copy_dependencies([f"{ARTIFACT}:{version}"], work / "jars", work / "maven", transitive=False)
        (jar,) = (work / "jars").glob("*.jar")
        jar.chmod(0o644)  # read by the init container's user
        os.replace(jar, target)
    return target
