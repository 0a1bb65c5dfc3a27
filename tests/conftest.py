"""Every test that evaluates Pulumi code gets fresh mocks: evaluate() installs them per call."""

import pytest
from pulumi.runtime import settings


@pytest.fixture(autouse=True)
def _fresh_pulumi_root() -> None:
    """No test sees the root stack resource of another."""
    settings.ROOT.set(None)
