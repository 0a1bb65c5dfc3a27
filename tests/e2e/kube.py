"""kubectl against the kind cluster, typed: every live read and action of the end-to-end flow."""

import json
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from kraft_component.manifests import Manifest

from . import checks


class KubectlFailed(RuntimeError):
    """kubectl exited non-zero; the message holds the command and its stderr."""


def selector(labels: Mapping[str, str]) -> str:
    """A label selector that matches every one of `labels`."""
    return ",".join(f"{key}={value}" for key, value in labels.items())


def wait_for(problem: Callable[[], str | None], timeout: float, interval: float = 5) -> None:
    """Poll `problem` until it returns None; after `timeout` seconds fail with its last answer. A failing
    kubectl counts as a problem (the cluster may be in the middle of recovering)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            current = problem()
        except KubectlFailed as error:
            current = str(error)
        if current is None:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still after {timeout:.0f}s: {current}")
        time.sleep(interval)


@dataclass(frozen=True)
class Kube:
    """kubectl with the kind cluster's kubeconfig, in one namespace."""

    kubeconfig: Path
    namespace: str

    def command(self, *args: str) -> list[str]:
        """The kubectl command line for `args`."""
        return ["kubectl", "--kubeconfig", str(self.kubeconfig), "--namespace", self.namespace, *args]

    def run(self, *args: str, stdin: str | None = None) -> str:
        """Run kubectl and return its stdout, or raise KubectlFailed with its stderr."""
        done = subprocess.run(self.command(*args), input=stdin, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise KubectlFailed(f"kubectl {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
        return done.stdout

    def get(self, *args: str) -> Any:
        """`kubectl get ... -o json`, parsed."""
        return json.loads(self.run("get", *args, "--output", "json"))

    def pods(self, labels: Mapping[str, str]) -> dict[str, checks.Pod]:
        """The pods that carry `labels`, by name."""
        return checks.pods(self.get("pods", "--selector", selector(labels)))

    def apply(self, manifest: Manifest) -> None:
        """Create or update one object (server-side validation and admission, Pod Security included)."""
        self.run("apply", "--filename", "-", stdin=json.dumps(manifest))

    def wait(self, condition: str, *targets: str, timeout: int) -> None:
        """`kubectl wait --for=condition=<condition>` on objects that already exist (`pod/<name>`, `nodes --all`)."""
        self.run("wait", f"--for=condition={condition}", *targets, f"--timeout={timeout}s")

    def exec(self, pod: str, command: list[str]) -> str:
        """Run `command` in the pod's container and return its stdout."""
        return self.run("exec", pod, "--", *command)

    def exec_in_background(
        self, pod: str, command: list[str], stdout: IO[str], stderr: IO[str]
    ) -> subprocess.Popen[str]:
        """Start `command` in the pod and return at once; its output streams into the given files."""
        return subprocess.Popen(self.command("exec", pod, "--", *command), stdout=stdout, stderr=stderr, text=True)

    def delete_pod(self, pod: str) -> None:
        """Delete a pod gracefully, as a drain or an eviction does, and wait until it is gone."""
        self.run("delete", "pod", pod, "--wait=true", "--timeout=300s")

    @contextmanager
    def watching(self, labels: Mapping[str, str], interval: float = 2) -> Iterator[list[dict[str, checks.Pod]]]:
        """Observe the pods with `labels` every `interval` seconds while the block runs; yields the list the
        observations are appended to. An observation kubectl fails to make is left out."""
        observations: list[dict[str, checks.Pod]] = []
        stop = threading.Event()

        def observe() -> None:
            while not stop.is_set():
                with suppress(KubectlFailed):
                    observations.append(self.pods(labels))
                stop.wait(interval)

        watcher = threading.Thread(target=observe, name="pod-watcher", daemon=True)
        watcher.start()
        try:
            yield observations
        finally:
            stop.set()
            watcher.join()
