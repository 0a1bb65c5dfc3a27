"""Fixtures of the real-Kafka tier: the machine's prerequisites, Kafka installs, a pod runner per test
(`cluster`), and the stacks tests share (`dev_stack`, `static_stack`, `secure_stack`; tests/realkafka/shared.py).

A missing prerequisite (root, Java, Maven, busybox, a Kafka release on Maven Central) fails the tier when
CI is set and skips it otherwise, with a message naming what is missing. A failing test prints what the
runner did (every pod created, started, Ready, restarted) after its own error.
"""

import os
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import NoReturn

import pytest

from realtools import jmx_agent, kafka_install
from realtools.podrunner import Cluster, ImageResolver, check_machine, kafka_images
from realtools.podrunner.images import AGENT_IMAGE, kafka_version
from realtools.podrunner.objects import Manifest
from realtools.prerequisites import MissingPrerequisite, java_home
from tests.realkafka.shared import SHARED_STACKS, RunningStack, SharedStacks
from tests.realkafka.workloads import SHELL_IMAGE, shell_image

OUTCOME = pytest.StashKey[bool]()


def unavailable(reason: str) -> NoReturn:
    """Fail in CI, skip elsewhere, naming what is missing."""
    if os.environ.get("CI"):
        pytest.fail(f"the real-Kafka tier is required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember whether the test body failed, for the cluster fixture's teardown."""
    report = yield
    if report.when == "call":
        item.stash[OUTCOME] = report.failed
    return report


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


@pytest.fixture
def cluster(images: ImageResolver, shared_stacks: SharedStacks, request: pytest.FixtureRequest) -> Iterator[Cluster]:
    """A pod runner, stopped and cleaned up after the test (also when it fails); no shared stack runs beside it."""
    shared_stacks.close()
    with Cluster(images) as runner:
        yield runner
        if request.node.stash.get(OUTCOME, False):
            print("\n--- what the pod runner did\n" + "\n".join(runner.events()))


MEASURES = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def measured(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Add a line to the tier's measurements, printed at the end of the run (the numbers in
    docs/real-kafka.md come from there)."""
    return request.config.stash.setdefault(MEASURES, []).append


@pytest.fixture(scope="session")
def shared_stacks(
    images: ImageResolver,
    install_images: Callable[[Sequence[Manifest]], list[str]],
    measured: Callable[[str], None],
) -> Iterator[SharedStacks]:
    """The stacks tests share, one running at a time; the last one is stopped at the end of the run."""
    stacks = SharedStacks(images, install_images, measured)
    try:
        yield stacks
    finally:
        stacks.close()


def shared_stack(name: str) -> Callable[..., Iterator[RunningStack]]:
    """The fixture of one shared stack."""

    def fixture(shared_stacks: SharedStacks, request: pytest.FixtureRequest) -> Iterator[RunningStack]:
        stack = shared_stacks.get(name)
        yield stack
        disruptive = request.node.get_closest_marker("disruptive") is not None
        shared_stacks.after_test(stack, request.node.stash.get(OUTCOME, False), disruptive)

    fixture.__doc__ = f"The shared {name.removesuffix('_stack')} stack, formed on first use (shared.SHARED_STACKS)."
    return pytest.fixture(name=name)(fixture)


dev_stack = shared_stack("dev_stack")
static_stack = shared_stack("static_stack")
secure_stack = shared_stack("secure_stack")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests with their own runner first, then each shared stack's tests together, its disruptive ones last."""
    order = list(SHARED_STACKS)

    def key(item: pytest.Item) -> tuple[int, bool]:
        used = [index for index, name in enumerate(order) if name in getattr(item, "fixturenames", ())]
        if not used:
            return (0, False)
        return (1 + used[0], item.get_closest_marker("disruptive") is not None)

    items.sort(key=key)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Print the measurements of this run."""
    lines = config.stash.get(MEASURES, [])
    if lines:
        terminalreporter.section("real-Kafka measurements")
        for line in lines:
            terminalreporter.write_line(line)
