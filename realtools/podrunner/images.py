"""The container images the runner can run: what an image puts in a container's root, besides this
machine's /usr, and the environment and user it starts with.

There is no container registry here, so an image is emulated: `apache/kafka:<version>` is this machine's
userland and JDK with the Kafka install of that version (Maven Central, realtools.kafka_install) at
/opt/kafka, running as the image's `appuser` (uid 1000). Inside it, `awk` is Debian's busybox awk, as
the official image's awk is BusyBox's: a script that only works with GNU awk fails here too.
The JMX exporter agent image (`metrics.agentImage`'s default, any tag) is this machine's userland with the
agent jar from Maven Central (realtools.jmx_agent) at /jmx_prometheus_javaagent.jar, running as root.
"""

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import jmx_agent, kafka_install
from ..prerequisites import MissingPrerequisite
from .objects import PodRunnerError

BUSYBOX = Path("/usr/bin/busybox")
KAFKA_HOME = "/opt/kafka"  # where the official image keeps Kafka
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
KAFKA_IMAGE = re.compile(r"^(?:docker\.io/)?apache/kafka:(?P<version>\d+\.\d+\.\d+)(?:@sha256:[0-9a-f]{64})?$")
AGENT_IMAGE = re.compile(r"^ghcr\.io/adobe/koperator/jmx-javaagent(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$")
AGENT_JAR = "/jmx_prometheus_javaagent.jar"  # where the agent image keeps the jar


@dataclass(frozen=True)
class Image:
    """What a container of this image sees and starts as."""

    reference: str
    paths: dict[str, Path]
    """Image path -> folder or file of this machine mounted there read-only."""
    env: dict[str, str]
    uid: int
    gid: int
    user: str
    home: str
    awk: Path = BUSYBOX
    extra_users: tuple[str, ...] = field(default=())

    def passwd(self) -> str:
        """/etc/passwd of the image."""
        lines = ["root:x:0:0:root:/root:/bin/bash", "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"]
        if self.uid:
            lines.append(f"{self.user}:x:{self.uid}:{self.gid}::{self.home}:/bin/bash")
        return "\n".join([*lines, *self.extra_users]) + "\n"

    def group(self) -> str:
        """/etc/group of the image."""
        return "root:x:0:\nnogroup:x:65534:\n" + (f"{self.user}:x:{self.gid}:\n" if self.gid else "")


ImageResolver = Callable[[str], Image]


def kafka_version(reference: str) -> str:
    """The Kafka release of an `apache/kafka:<version>` image reference."""
    match = KAFKA_IMAGE.match(reference)
    if match is None:
        raise PodRunnerError(
            f"image {reference!r} is not emulated; the runner knows apache/kafka:<version> and "
            "ghcr.io/adobe/koperator/jmx-javaagent"
        )
    return match["version"]


def kafka_images(
    java_home: Path, install: Callable[[str], Path] = kafka_install.install,
    agent: Callable[[], Path] = jmx_agent.install,
) -> ImageResolver:  # fmt: skip
    """A resolver for the images kraft's pods run: `apache/kafka:<version>`, the release installed from Maven
    Central at /opt/kafka and `java_home` as the image's Java; and the JMX exporter agent image, the `agent`
    jar at /jmx_prometheus_javaagent.jar."""

    def resolve(reference: str) -> Image:
        if AGENT_IMAGE.match(reference):
            return Image(reference, paths={AGENT_JAR: agent()}, env={"PATH": DEFAULT_PATH}, uid=0, gid=0,
                         user="root", home="/root")  # fmt: skip
        home = install(kafka_version(reference))
        return Image(
            reference=reference,
            paths={KAFKA_HOME: home},
            env={"PATH": f"{java_home}/bin:{DEFAULT_PATH}", "JAVA_HOME": str(java_home), "LANG": "C.UTF-8"},
            uid=1000,
            gid=1000,
            user="appuser",
            home="/home/appuser",
        )

    return resolve


def prepare_etc(image: Image, target: Path) -> None:
    """The image's /etc in `target`: this machine's, with the image's users and awk, names from the hosts
    file only (the runner writes it), and no DNS server."""
    if not image.awk.exists():
        raise MissingPrerequisite(f"{image.awk} is missing: the image's awk is busybox's (apt-get install busybox)")
    subprocess.run(["cp", "-a", "/etc", str(target)], check=True)
    (target / "passwd").write_text(image.passwd())
    (target / "group").write_text(image.group())
    for secret in ("shadow", "gshadow"):
        (target / secret).unlink(missing_ok=True)
    (target / "nsswitch.conf").write_text("passwd: files\ngroup: files\nhosts: files\n")
    (target / "resolv.conf").write_text("# no DNS server: pod and Service names are in /etc/hosts\n")
    alternatives = target / "alternatives"
    alternatives.mkdir(exist_ok=True)
    (alternatives / "awk").unlink(missing_ok=True)
    (alternatives / "awk").symlink_to(image.awk)


def copy_etc(template: Path, target: Path) -> None:
    """A pod's own /etc, copied from its image's, appearing at `target` only once complete: the runner writes
    the hosts file of every pod /etc that exists, and a copy still under way would overwrite it."""
    partial = target.with_name(f".{target.name}.partial")
    shutil.copytree(template, partial, symlinks=True)
    partial.rename(target)
