"""The end-to-end steps are one flow: once a step fails, the later ones skip and name it."""

from collections.abc import Generator

import pytest

FAILED_STEP = pytest.StashKey[str]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember the first step whose test body failed."""
    report = yield
    if report.when == "call" and report.failed:
        item.session.stash.setdefault(FAILED_STEP, item.name)
    return report


@pytest.fixture(autouse=True)
def _after_a_failed_step(request: pytest.FixtureRequest) -> None:
    """Skip a step that would build on a failed one."""
    failed = request.session.stash.get(FAILED_STEP, None)
    if failed is not None:
        pytest.skip(f"an earlier step failed: {failed}")
