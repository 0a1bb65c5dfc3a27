"""Every test that evaluates Pulumi code gets fresh mocks: evaluate() installs them per call. Every test
outside the real and end-to-end tiers is marked `offline`, so `bin/test -m offline` is the fast loop."""

import pytest
from pulumi.runtime import settings

TIERS = ("realkafka", "realpulumi", "e2e")


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


@pytest.fixture(autouse=True)
def _fresh_pulumi_root() -> None:
    """No test sees the root stack resource of another."""
    settings.ROOT.set(None)
