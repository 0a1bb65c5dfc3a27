"""The command-line tools a local run needs, and a clear refusal when one is missing.

`python3 -m localdev.tools docker kind pulumi` (bin/dev-up's first step) needs only the standard library, so it
runs before the virtualenv exists.
"""

import shutil
import subprocess
import sys

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


def report_missing(tools: tuple[str, ...]) -> int:
    """0 when every tool is there; else 2, with every missing tool named on stderr."""
    try:
        require(tools)
    except MissingTools as error:
        print(f"kraft: cannot run locally: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(report_missing(tuple(sys.argv[1:])))
