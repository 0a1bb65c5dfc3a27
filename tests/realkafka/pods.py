"""The fixtures a test needs to run pods on real Kafka, in either real tier: the machine's prerequisites, the
images (Kafka from Maven Central, the runner tests' shell image) and the installs of what a stack's objects run.

A missing prerequisite (root, Java, Maven, busybox, a Kafka release on Maven Central) fails the test when CI is
set and skips it otherwise, with a message naming what is missing.
"""

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

import pytest

from realtools import jmx_agent, kafka_install
from realtools.podrunner import ImageResolver, check_machine, kafka_images
from realtools.podrunner.images import AGENT_IMAGE, kafka_version
from realtools.podrunner.objects import Manifest
from realtools.prerequisites import MissingPrerequisite, java_home
from tests.realkafka.workloads import SHELL_IMAGE, shell_image


def unavailable(reason: str) -> NoReturn:
    """Fail in CI, skip elsewhere, naming what is missing."""
    if os.environ.get("CI"):
        pytest.fail(f"real Kafka is required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def java() -> Path:
    """The JDK that runs Kafka."""
    try:
        check_machine()
        return java_home()
    except MissingPrerequisite as error:
        unavailable(str(error))


@pytest.fixture(scope="session")
def images(java: Path) -> ImageResolver:
    """apache/kafka:<version> from Maven Central, and the runner tests' shell image."""
    kafka = kafka_images(java)
    return lambda reference: shell_image(reference) if reference == SHELL_IMAGE else kafka(reference)


@pytest.fixture(scope="session")
def install_images() -> Callable[[Sequence[Manifest]], list[str]]:
    """Install the Kafka release of every apache/kafka image the objects run, and the metrics agent if an init
    container copies it (before a test's clock starts); return the Kafka versions."""

    def install(objects: Sequence[Manifest]) -> list[str]:
        references = {
            container["image"]
            for obj in objects
            if obj["kind"] in ("StatefulSet", "Job")
            for kind in ("initContainers", "containers")
            for container in obj["spec"]["template"]["spec"].get(kind, [])
        }
        if any(AGENT_IMAGE.match(reference) for reference in references):
            try:
                jmx_agent.install()
            except MissingPrerequisite as error:
                unavailable(f"the JMX exporter agent {jmx_agent.VERSION}: {error}")
        versions = sorted(
            kafka_version(reference)
            for reference in references
            if reference != SHELL_IMAGE and not AGENT_IMAGE.match(reference)
        )
        for version in versions:
            try:
                kafka_install.install(version)
            except MissingPrerequisite as error:
                unavailable(f"Kafka {version}: {error}")
        return versions

    return install
