"""`python -m kraft_component render --stack <name>`: the stack's Kubernetes objects as YAML, offline."""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .render import RenderError, parse_assignments, render, to_yaml_stream, write_files


def parser() -> argparse.ArgumentParser:
    """The command line: one subcommand, `render`."""
    root = argparse.ArgumentParser(prog="python -m kraft_component", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "render",
        help="print the Kubernetes objects `pulumi up` of a stack would send",
        description="Evaluate the project's program under mocks (no Pulumi CLI, no cluster, no network) and "
        "print the Kubernetes objects it registers.",
    )
    command.add_argument("--stack", required=True, help="the stack name; config from Pulumi.<stack>.yaml")
    command.add_argument("--project-dir", type=Path, default=Path("."), help="folder with Pulumi.yaml (default: .)")
    command.add_argument(
        "--config", action="append", default=[], metavar="KEY=VALUE",
        help="set a config value, overriding the stack file (repeatable); required for secure: values",
    )  # fmt: skip
    command.add_argument("--out", type=Path, help="write one file per object into this (new or empty) directory")
    command.add_argument("--show-secrets", action="store_true", help="print secret values instead of redacting them")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (1 with a one-line message on stderr when the input is wrong)."""
    args = parser().parse_args(argv)
    try:
        objects = render(args.project_dir, args.stack, parse_assignments(args.config), args.show_secrets)
        if args.out is None:
            sys.stdout.write(to_yaml_stream(objects))
        else:
            for path in write_files(objects, args.out):
                print(path)
    except RenderError as error:
        print(f"kraft render: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
