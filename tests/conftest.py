"""Every test that evaluates Pulumi code gets fresh mocks: evaluate() installs them per call. Every test
outside the real and end-to-end tiers is marked `offline`, so `bin/test -m offline` is the fast loop."""

from collections import defaultdict

import pytest
from pulumi.runtime import settings

TIERS = ("realkafka", "realpulumi", "e2e")
SECONDS_PER_TIER: defaultdict[str, float] = defaultdict(float)


def tier_rank(item: pytest.Item) -> int:
    """0 for an offline test, then the tiers in TIERS' order."""
    return next((rank for rank, tier in enumerate(TIERS, 1) if item.get_closest_marker(tier)), 0)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks the tests that need nothing outside the repo, and runs them first, then the real tiers in TIERS'
    order: the fast feedback comes first, and the real-Pulumi tools that .ci/run builds in the background have
    the other tiers' time to finish."""
    for item in items:
        if not tier_rank(item):
            item.add_marker(pytest.mark.offline)
    items.sort(key=tier_rank)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Adds each phase's time (set-up includes the fixtures a test starts, such as a running cluster) to its
    tier, so a run reports each tier's time against its budget."""
    tier = next((tier for tier in TIERS if tier in report.keywords), "offline")
    SECONDS_PER_TIER[tier] += report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SECONDS_PER_TIER:
        terminalreporter.write_sep("=", "time per tier")
        for tier, seconds in SECONDS_PER_TIER.items():
            terminalreporter.write_line(f"{tier}: {seconds / 60:.1f} min")


@pytest.fixture(autouse=True)
def _fresh_pulumi_root() -> None:
    """No test sees the root stack resource of another."""
    settings.ROOT.set(None)
