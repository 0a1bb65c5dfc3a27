"""The real-Pulumi tier's fixtures: the tools (built or reused), and a control plane for the session.

A missing prerequisite (Go, a module the proxy refuses) fails the tier when CI is set, and skips it with
the reason otherwise.
"""

import os
import sys
from collections.abc import Iterator
from typing import NoReturn

import pytest

from realtools import controlplane, crds, toolset
from realtools.prerequisites import MissingPrerequisite


def unavailable(reason: str) -> NoReturn:
    """Fail in CI, skip elsewhere: the tier never passes silently without running."""
    if os.environ.get("CI"):
        pytest.fail(f"real-Pulumi tier: {reason}", pytrace=False)
    pytest.skip(f"real-Pulumi tier: {reason}")


@pytest.fixture(scope="session")
def real_tools(tmp_path_factory: pytest.TempPathFactory) -> toolset.Tools:
    """Every tool in one folder (built from the Go module proxy on first use, which takes long: progress is
    written to stderr)."""
    try:
        folder = tmp_path_factory.mktemp("tools")
        return toolset.assemble(folder, toolset.PYTHON_PROGRAMS, log=lambda line: print(line, file=sys.__stderr__))
    except MissingPrerequisite as error:
        unavailable(str(error))


@pytest.fixture(scope="session")
def control_plane(
    real_tools: toolset.Tools, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[controlplane.ControlPlane]:
    """etcd, the API server, controller manager, scheduler and kwok nodes on loopback, for the session."""
    with controlplane.running(real_tools.bin, tmp_path_factory.mktemp("control-plane")) as plane:
        yield plane
        peaks = plane.peak_rss_mib()
        print(f"control plane peak memory: {sum(peaks.values())} MiB {peaks}", file=sys.__stderr__)
        plane.check_alive()  # a component that died mid-session fails the session's last test


@pytest.fixture(scope="session")
def cert_manager_crds(control_plane: controlplane.ControlPlane) -> None:
    """cert-manager's CustomResourceDefinitions in the control plane (its release's, from its Go module)."""
    try:
        control_plane.install_crds(crds.cert_manager())
    except MissingPrerequisite as error:
        unavailable(str(error))
