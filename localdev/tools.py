"""The command-line tools a local run needs, and a clear refusal when one is missing."""

import shutil
import subprocess

INSTALL_HINTS = {
    "docker": "install Docker and start its engine (`docker info` must succeed): https://docs.docker.com/engine/install/",
    "kind": "https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
    "kubectl": "https://kubernetes.io/docs/tasks/tools/",
    "pulumi": "https://www.pulumi.com/docs/install/",
}


class MissingTools(RuntimeError):
    """Some required command is not on PATH."""


def missing(tools: tuple[str, ...]) -> list[str]:
    """The tools of `tools` that are not on PATH, and docker when its engine does not answer."""
    absent = [tool for tool in tools if shutil.which(tool) is None]
    if "docker" in tools and "docker" not in absent and not docker_engine_running():
        absent.append("docker")
    return absent


def docker_engine_running() -> bool:
    """Whether `docker info` reaches a Docker engine (the client alone cannot run kind)."""
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


def require(tools: tuple[str, ...]) -> None:
    """Raise MissingTools naming every missing tool and where to get it."""
    absent = missing(tools)
    if absent:
        lines = [f"  {tool}: {INSTALL_HINTS.get(tool, 'install it')}" for tool in absent]
        raise MissingTools(f"missing tool(s): {', '.join(absent)}\n" + "\n".join(lines))
