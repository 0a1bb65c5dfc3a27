"""A Kafka release's runtime jars from Maven Central, cached outside the repo by version.

A full install (`$KRAFT_CACHE_DIR/kafka/<version>/`, laid out like the image's /opt/kafka) is reused when one
exists; otherwise only the jars are fetched, into `$KRAFT_CACHE_DIR/kafka-jars/<version>/libs`: the runtime
classpath of `kafka_2.13` and `kafka-tools` without Kafka Connect, which no broker or topic ConfigDef needs (and
whose 4.0.1 modules connect-api, connect-json and connect-transforms Maven Central does not serve).
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

ARTIFACTS = ("kafka_2.13", "kafka-tools")
LEFT_OUT = ("connect-runtime",)
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
DOWNLOAD_TIMEOUT_SECONDS = 900


class MissingPrerequisite(RuntimeError):
    """A tool or download the extraction needs is not available; the message names it."""


def cache_root() -> Path:
    """Where real-tool downloads are kept between runs."""
    return Path(os.environ.get("KRAFT_CACHE_DIR") or Path.home() / ".cache" / "kraft")


def pom(version: str) -> str:
    """A project whose runtime dependencies are the release's server and tools artifacts."""
    exclusions = "".join(
        f"<exclusion><groupId>org.apache.kafka</groupId><artifactId>{artifact}</artifactId></exclusion>"
        for artifact in LEFT_OUT
    )
    dependencies = "".join(
        f"<dependency><groupId>org.apache.kafka</groupId><artifactId>{artifact}</artifactId>"
        f"<version>{version}</version><exclusions>{exclusions}</exclusions></dependency>"
        for artifact in ARTIFACTS
    )
    return (
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
        f"<groupId>kraft.local</groupId><artifactId>kafka-jars</artifactId><version>{version}</version>"
        f"<packaging>pom</packaging><dependencies>{dependencies}</dependencies></project>\n"
    )


def runtime_libs(version: str) -> Path:
    """The directory of the release's runtime jars, downloaded on first use."""
    installed = cache_root() / "kafka" / version / "libs"
    if installed.is_dir():
        return installed
    entry = cache_root() / "kafka-jars" / version
    if not entry.is_dir():
        _download(version, entry)
    return entry / "libs"


def _download(version: str, entry: Path) -> None:
    """Fill `entry` completely or not at all: the jars go to a temporary sibling renamed at the end."""
    maven = shutil.which("mvn")
    if maven is None:
        raise MissingPrerequisite("Maven (mvn) is needed to download the Kafka jars from Maven Central")
    entry.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=entry.parent, prefix=f".{version}-") as scratch:
        work = Path(scratch)
        (work / "pom.xml").write_text(pom(version))
        command = [
            maven, "--batch-mode", "--quiet", "--file", str(work / "pom.xml"),
            f"{DEPENDENCY_PLUGIN}:copy-dependencies", "-DincludeScope=runtime",
            f"-DoutputDirectory={work / 'jars' / 'libs'}",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=DOWNLOAD_TIMEOUT_SECONDS)
        if result.returncode != 0:
            raise MissingPrerequisite(f"Maven could not fetch Kafka {version}:\n{result.stdout}{result.stderr}")
        (work / "jars").rename(entry)
