"""Every test that evaluates Pulumi code gets fresh mocks: evaluate() installs them per call. Every test
outside the real and end-to-end tiers is marked `offline`, so `bin/test -m offline` is the fast loop."""

import pytest
from pulumi.runtime import settings

TIERS = ("realkafka", "realpulumi", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks the tests that need nothing outside the repo."""
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in TIERS):
            item.add_marker(pytest.mark.offline)


@pytest.fixture(autouse=True)
def _fresh_pulumi_root() -> None:
    """No test sees the root stack resource of another."""
    settings.ROOT.set(None)
