"""`python -m localdev up [--stack dev]`: `pulumi up` of a stack on a local kind cluster."""

import argparse
import sys

from . import kind, stack, tools

REQUIRED = ("docker", "kind", "pulumi")


def main(argv: list[str] | None = None) -> int:
    """Run the command; a missing tool is reported by name, not as a traceback."""
    parser = argparse.ArgumentParser(prog="python -m localdev", description=__doc__)
    parser.add_argument("command", choices=("up",))
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--cluster", default="kraft-dev", help="kind cluster name")
    args = parser.parse_args(argv)
    missing = tools.report_missing(REQUIRED)
    if missing:
        return missing
    kubeconfig = kind.ensure_cluster(args.cluster, stack.STATE_DIR / f"{args.cluster}.kubeconfig")
    result = stack.select(args.stack, kubeconfig).up(on_output=print)
    print({name: output.value for name, output in result.outputs.items() if not output.secret})
    return 0


if __name__ == "__main__":
    sys.exit(main())
