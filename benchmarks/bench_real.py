"""`pulumi preview` and `pulumi up` of the dev and prod stacks against a plain pulumi_kubernetes program of the
same objects, side by side on one real control plane.

The plain program (benchmarks/plain_kubernetes) registers the Kubernetes objects `render` produces for the
stack, each a typed resource with literal arguments and the options the component gives it (the same
dependencies, so the engine waits for the workloads in the same order). It has no component, no random or tls
resources and no deployment record: their values are literals in it. So the ratio is everything kraft costs a
deployment beyond its objects. The control plane, tools and CLI are the real-Pulumi tier's
(tests/realpulumi, docs/real-pulumi.md): file backend, cached tools, etcd, kube-apiserver and kwok on loopback.

Each turn deploys one stack with each program, in alternating order: `pulumi preview` of a new stack (every
object to create), `pulumi up --yes --skip-preview` (waits for every pod Ready), then the namespace is deleted
(untimed) so the other program starts from the same empty cluster. Medians over the turns, and the ratio.

Run (a timing run: one at a time on a shared machine): python benchmarks/bench_real.py [--repeat N]
[--stacks dev prod]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # runnable from a checkout without installing the package

from realtools import controlplane, toolset  # noqa: E402
from realtools.stacks import evaluate_stack, plain_program, render_stack  # noqa: E402
from tests.helpers import stack_config  # noqa: E402
from tests.realpulumi.cli import Pulumi, Result  # noqa: E402
from tests.realpulumi.stacks import delete_namespaces, namespaces_of  # noqa: E402

PLAIN = Path(__file__).resolve().parent / "plain_kubernetes"
PROGRAMS = ("kraft", "plain")
COMMANDS = ("preview", "up")


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def timed(run: Callable[[], Result]) -> float:
    """Wall seconds of a pulumi command that must succeed."""
    start = time.perf_counter()
    run().check()
    return time.perf_counter() - start


def project(pulumi: Pulumi, program: str, stack: str, turn: int) -> tuple[Path, str]:
    """A new stack of `program` for `stack` (its config, or the objects it renders to), in a project copy of its own."""
    name = f"{stack}-{turn}"
    if program == "kraft":
        return pulumi.stack_project(name, stack_config(stack)), name
    folder = pulumi.stack_project(name, {}, PLAIN)
    (folder / "resources.json").write_text(json.dumps(plain_program(evaluate_stack(stack))))
    return folder, name


def deploy(pulumi: Pulumi, folder: Path, stack: str) -> dict[str, float]:
    """Wall seconds of `preview` of the new stack, then of `up`."""
    return {
        "preview": timed(lambda: pulumi.run(folder, "preview", "--stack", stack)),
        "up": timed(lambda: pulumi.run(folder, "up", "--yes", "--skip-preview", "--stack", stack)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="turns: each stack with each program, in turn")
    parser.add_argument("--stacks", nargs="+", default=["dev", "prod"])
    args = parser.parse_args()
    times: dict[tuple[str, str, str], list[float]] = {}
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="kraft-bench-real-") as scratch:
        folder = Path(scratch)
        tools = toolset.assemble(folder / "tools", toolset.PYTHON_PROGRAMS, log=log)
        with controlplane.running(tools.bin, folder / "control-plane") as plane:
            pulumi = Pulumi(tools, plane.kubeconfig, folder / "pulumi")
            for turn in range(args.repeat):
                for stack in args.stacks:
                    order = PROGRAMS if turn % 2 == 0 else PROGRAMS[::-1]
                    for program in order:
                        project_folder, name = project(pulumi, program, stack, turn)
                        try:
                            measured = deploy(pulumi, project_folder, name)
                        finally:
                            delete_namespaces(plane.api(), namespaces_of(render_stack(stack).objects))
                        loads.append(os.getloadavg()[0])
                        log(f"turn {turn + 1}: {stack} {program}: " +
                            ", ".join(f"{command} {seconds:.1f} s" for command, seconds in measured.items()))  # fmt: skip
                        for command, seconds in measured.items():
                            times.setdefault((stack, program, command), []).append(seconds)
            plane.check_alive()
    print(f"pulumi preview / up --skip-preview wall time, median of {args.repeat} turns; load average (1 min) "
          f"{min(loads):.1f} to {max(loads):.1f} during the run\n")  # fmt: skip
    print(f"{'stack':>6} {'command':>8} {'kraft s':>8} {'plain s':>8} {'ratio':>6}")
    for stack in args.stacks:
        for command in COMMANDS:
            kraft, plain = (statistics.median(times[(stack, program, command)]) for program in PROGRAMS)
            print(f"{stack:>6} {command:>8} {kraft:>8.1f} {plain:>8.1f} {kraft / plain:>6.2f}")
    print(
        "\nevery run (s): " + json.dumps({"/".join(key): [round(t, 1) for t in value] for key, value in times.items()})
    )


if __name__ == "__main__":
    main()
