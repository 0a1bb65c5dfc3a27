"""Every test that evaluates Pulumi code gets fresh mocks: evaluate() installs them per call. Tests of the
real tiers and of kind carry their marker; every other test is `offline` (`bin/test -m offline`)."""

import pytest
from pulumi.runtime import settings

TIERS = ("realkafka", "realpulumi", "e2e")


@pytest.fixture(autouse=True)
def _fresh_pulumi_root() -> None:
    """No test sees the root stack resource of another."""
    settings.ROOT.set(None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test outside the real tiers and kind `offline`."""
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in TIERS):
            item.add_marker(pytest.mark.offline)
