"""The pulumi CLI as a user runs it: a file backend, a passphrase, no update checks, no plugin downloads."""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from localdev import stack as local_stack
from realtools.processes import run_bounded
from realtools.toolset import Tools

COMMAND_TIMEOUT = 1800  # a pulumi up waits for every StatefulSet to be ready


@dataclass
class Result:
    """What a pulumi command did."""

    command: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def check(self) -> "Result":
        """The result, or AssertionError with the command's output when it failed."""
        assert self.returncode == 0, f"{' '.join(self.command)} exited {self.returncode}:\n{self.output[-8000:]}"
        return self


@dataclass
class Pulumi:
    """The CLI of `tools`, with its home (the resource plugins installed there) and file backend under
    `scratch`, and the control plane's kubeconfig."""

    tools: Tools
    kubeconfig: Path
    scratch: Path
    env: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        (self.scratch / "state").mkdir(parents=True, exist_ok=True)
        self.env = {
            "PATH": f"{self.tools.bin}{os.pathsep}{os.environ['PATH']}",
            "HOME": os.environ.get("HOME", str(self.scratch)),
            "PULUMI_HOME": str(self.scratch / "pulumi-home"),
            "PULUMI_BACKEND_URL": (self.scratch / "state").as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": "kraft-real-tier",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_DEBUG_COMMANDS": "true",  # offers `--event-log`, the engine's event stream the Automation API reads
            "KUBECONFIG": str(self.kubeconfig),
        }
        for (kind, name), (version, path) in self.tools.plugins.items():
            self.run(self.scratch, "plugin", "install", kind, name, version, "--file", str(path)).check()

    def run(self, project: Path, *arguments: str) -> Result:
        """`pulumi ARGUMENTS` in `project`, non-interactive."""
        command = ["pulumi", *arguments, "--non-interactive"]
        done = run_bounded(command, cwd=project, env=self.env, timeout=COMMAND_TIMEOUT)
        return Result(command, done.returncode, done.stdout, done.stderr)

    def stack_project(self, stack: str, config: dict[str, Any], source: Path = local_stack.ROOT) -> Path:
        """A copy of the project in `source` (this repository's, or an example's) in scratch with the stack
        `stack` created, its config `config` (the `config:` mapping of a stack file)."""
        project = local_stack.project_copy(self.scratch / f"project-{source.name}-{stack}", source)
        self.run(project, "stack", "init", stack).check()
        self.set_config(project, stack, config)
        return project

    def set_config(self, project: Path, stack: str, config: dict[str, Any]) -> None:
        """Make `config` the stack's whole config, as an edit of its stack file would."""
        stack_file = project / f"Pulumi.{stack}.yaml"
        settings = yaml.safe_load(stack_file.read_text()) or {}
        stack_file.write_text(yaml.safe_dump(settings | {"config": config}))

    def export(self, project: Path, stack: str) -> list[dict[str, Any]]:
        """The resources of the stack's state."""
        state = json.loads(self.run(project, "stack", "export", "--stack", stack).check().stdout)
        resources: list[dict[str, Any]] = state["deployment"].get("resources", [])
        return resources
