"""Pulumi stacks of this project on a local file backend, through the Automation API."""

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

ROOT = Path(__file__).resolve().parents[1]
STATE_DIR = ROOT / ".pulumi-state"
PROGRAM = "__main__.py"
PROJECT_FILE = "Pulumi.yaml"


def workspace_env(kubeconfig: Path, state_dir: Path = STATE_DIR) -> dict[str, str]:
    """A local file backend in `state_dir`, the kind cluster's kubeconfig, and a passphrase for local secrets."""
    state_dir.mkdir(parents=True, exist_ok=True)
    return {
        "PULUMI_BACKEND_URL": state_dir.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": os.environ.get("PULUMI_CONFIG_PASSPHRASE", ""),
        "KUBECONFIG": str(kubeconfig),
    }


def select(stack: str, kubeconfig: Path, work_dir: Path = ROOT, state_dir: Path = STATE_DIR) -> auto.Stack:
    """The stack `stack` of the program in `work_dir`, created on first use, with its state in `state_dir`."""
    options = auto.LocalWorkspaceOptions(work_dir=str(work_dir), env_vars=workspace_env(kubeconfig, state_dir))
    return auto.create_or_select_stack(stack_name=stack, work_dir=str(work_dir), opts=options)


def project_copy(work_dir: Path, source: Path = ROOT) -> Path:
    """A project in `work_dir` that runs the program of the project in `source` (this repository's, or an
    example's) in its virtualenv, with stack files kept in `work_dir` rather than in stacks/ or beside the
    source (Pulumi allows `main` only below the project folder, hence the copy)."""
    project = yaml.safe_load((source / PROJECT_FILE).read_text())
    project.pop("stackConfigDir", None)
    runtime_options = project["runtime"]["options"]
    runtime_options["virtualenv"] = os.path.normpath(source / runtime_options["virtualenv"])
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / PROJECT_FILE).write_text(yaml.safe_dump(project, sort_keys=False))
    shutil.copyfile(source / PROGRAM, work_dir / PROGRAM)
    return work_dir


def set_object_config(stack: auto.Stack, key: str, value: Mapping[str, Any]) -> None:
    """Set a config key to a structured value, an object in the stack file as Pulumi.yaml declares
    `kraft:cluster` (`Stack.set_config` stores text, which Pulumi refuses for a key declared `type: object`)."""
    workspace = stack.workspace
    try:
        settings = workspace.stack_settings(stack.name)
    except FileNotFoundError:  # a stack that has no settings file yet
        settings = auto.StackSettings()
    settings.config = {**(settings.config or {}), key: dict(value)}
    workspace.save_stack_settings(stack.name, settings)
