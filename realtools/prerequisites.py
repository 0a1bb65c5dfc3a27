"""What the real tiers need from the machine, and the one error that names what is missing."""

import os
import re
import shutil
import subprocess
from pathlib import Path

MIN_JAVA = 17  # every supported Kafka release (3.9-4.4) runs its broker and tools on Java 17
MIN_NODE = 20  # runs examples/typescript with @pulumi/pulumi 3.270.0 (which declares 22, and runs it on 20)


class MissingPrerequisite(Exception):
    """Something the real tiers need is not on this machine or cannot be downloaded; the message names it."""


def cache_root() -> Path:
    """Where real-tier downloads and builds live, outside the repository: ${KRAFT_CACHE_DIR:-~/.cache/kraft}."""
    return Path(os.environ.get("KRAFT_CACHE_DIR") or Path.home() / ".cache" / "kraft")


def command(name: str, purpose: str) -> str:
    """The path of a command on PATH, or MissingPrerequisite naming it and what it is for."""
    path = shutil.which(name)
    if path is None:
        raise MissingPrerequisite(f"'{name}' is not on PATH; it is needed {purpose}")
    return path


def java_major(java: str) -> int:
    """The feature release of a `java` executable (17 for "17.0.15")."""
    result = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr)
    if result.returncode != 0 or match is None:
        raise MissingPrerequisite(f"'{java} -version' failed: {result.stderr.strip() or result.returncode}")
    major = int(match[1])
    return int(match[2] or 0) if major == 1 else major


def java_home() -> Path:
    """The JDK that runs Kafka: $KRAFT_JAVA_HOME, else $JAVA_HOME, else the `java` on PATH; at least MIN_JAVA."""
    configured = os.environ.get("KRAFT_JAVA_HOME") or os.environ.get("JAVA_HOME")
    if configured:
        java = str(Path(configured) / "bin" / "java")
        if not os.access(java, os.X_OK):
            raise MissingPrerequisite(f"{java} is not an executable java (from KRAFT_JAVA_HOME or JAVA_HOME)")
    else:
        java = command("java", f"to run Kafka (a JDK {MIN_JAVA} or newer; apt-get install openjdk-17-jdk-headless)")
    home = Path(java).resolve().parent.parent
    major = java_major(java)
    if major < MIN_JAVA:
        raise MissingPrerequisite(f"{java} is Java {major}; Kafka needs Java {MIN_JAVA} or newer")
    return home


def node() -> str:
    """The `node` on PATH, at least MIN_NODE, with npm beside it."""
    purpose = f"to run examples/typescript (Node.js {MIN_NODE} or newer, with npm)"
    node, _ = command("node", purpose), command("npm", purpose)
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    match = re.fullmatch(r"v(\d+)\..*", version)
    if match is None or int(match[1]) < MIN_NODE:
        raise MissingPrerequisite(
            f"{node} is Node.js {version or 'of no version'}; examples/typescript needs {MIN_NODE} or newer"
        )
    return node
