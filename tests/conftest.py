"""Every test that evaluates Pulumi code gets fresh mocks: evaluate() installs them per call."""

import pytest
from pulumi.runtime import settings


@pytest.fixture(autouse=True)
def _fresh_pulumi_root() -> None:
    """No test sees the root stack resource of another."""
    settings.ROOT.set(None)


REAL_TIERS = ("realpulumi", "realkafka", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of no real tier is `offline`: `bin/test -m offline` is the fast loop."""
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in REAL_TIERS):
            item.add_marker(pytest.mark.offline)
