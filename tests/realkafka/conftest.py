"""Fixtures of the real-Kafka tier: the machine's prerequisites and Kafka installs (tests/realkafka/pods.py), a
pod runner per test (`cluster`), and the stacks tests share (`dev_stack`, `static_stack`, `secure_stack`; tests/realkafka/shared.py).

A missing prerequisite (root, Java, Maven, busybox, a Kafka release on Maven Central) fails the tier when
CI is set and skips it otherwise, with a message naming what is missing. A failing test prints what the
runner did (every pod created, started, Ready, restarted) after its own error.
"""

from collections.abc import Callable, Generator, Iterator, Sequence

import pytest

from realtools.podrunner import Cluster, ImageResolver
from realtools.podrunner.objects import Manifest
from tests.realkafka import pods
from tests.realkafka.shared import SHARED_STACKS, RunningStack, SharedStacks

java, images, install_images = pods.java, pods.images, pods.install_images
OUTCOME = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember whether the test body failed, for the cluster fixture's teardown."""
    report = yield
    if report.when == "call":
        item.stash[OUTCOME] = report.failed
    return report


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
