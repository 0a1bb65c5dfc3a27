"""Every test that evaluates Pulumi code gets fresh mocks: evaluate() installs them per call. Every test
that is not part of a real tier is marked `offline`, so `bin/test -m offline` is the fast loop."""

import pytest
from pulumi.runtime import settings

REAL_TIERS = ("realkafka", "realpulumi", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test outside the real tiers `offline`."""
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in REAL_TIERS):
            item.add_marker(pytest.mark.offline)


@pytest.fixture(autouse=True)
def _fresh_pulumi_root() -> None:
    """No test sees the root stack resource of another."""
    settings.ROOT.set(None)
