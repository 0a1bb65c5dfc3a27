"""The StatefulSet and Job controllers, as the kube-controller-manager runs them, over the runner's pods."""

import asyncio
import contextlib
import secrets
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from .objects import Job, PodRunnerError, StatefulSet
from .pod import Pod

if TYPE_CHECKING:
    from .runtime import Runtime

JOB_BACKOFF_START, JOB_BACKOFF_MAX = 10.0, 360.0  # the Job controller's back-off between failed pods


class StatefulSetController:
    """Keeps one pod per ordinal, each on its own claims: creates missing pods (all at once with Parallel
    pod management, else one at a time, each Ready before the next), removes ordinals beyond `replicas`
    (highest first), and rolls a new template from the highest ordinal down, one pod at a time, only
    while every pod is Ready."""

    def __init__(self, runtime: "Runtime", spec: StatefulSet) -> None:
        self.runtime = runtime
        self.spec = spec
        self.pods: dict[int, Pod] = {}
        self.task: asyncio.Task[None] | None = None

    def update(self, spec: StatefulSet) -> None:
        """A new desired state (a re-applied StatefulSet)."""
        if spec.service_name != self.spec.service_name or spec.claims != self.spec.claims:
            raise PodRunnerError(f"StatefulSet/{spec.name}: serviceName and volumeClaimTemplates are immutable")
        self.spec = spec
        self.runtime.changed()

    def start(self) -> None:
        """Begin reconciling."""
        self.task = asyncio.get_running_loop().create_task(self._reconcile_forever(), name=f"sts {self.spec.name}")

    @property
    def rolled_out(self) -> bool:
        """Every ordinal has a Ready pod of the current template, and no other pod is left."""
        return len(self.pods) == self.spec.replicas and all(
            ordinal in self.pods and self.pods[ordinal].ready and self._current(self.pods[ordinal])
            for ordinal in range(self.spec.replicas)
        )

    def _current(self, pod: Pod) -> bool:
        return pod.template.revision == self.spec.template.revision

    def pod_name(self, ordinal: int) -> str:
        """`<statefulset>-<ordinal>`."""
        return f"{self.spec.name}-{ordinal}"

    async def _reconcile_forever(self) -> None:
        while True:
            await self.reconcile()
            await self.runtime.wait_changed(1.0)

    async def reconcile(self) -> None:
        """One pass of the controller."""
        for ordinal, pod in list(self.pods.items()):
            if pod.finished.is_set():  # deleted or ended: replaced below, on the same claims
                del self.pods[ordinal]
        spec = self.spec
        extra = sorted((ordinal for ordinal in self.pods if ordinal >= spec.replicas), reverse=True)
        for ordinal in extra if spec.parallel else extra[:1]:
            await self._remove(ordinal)
        if extra and not spec.parallel:
            return
        for ordinal in range(spec.replicas):
            if ordinal in self.pods:
                continue
            if not spec.parallel and not all(self.pods[lower].ready for lower in range(ordinal) if lower in self.pods):
                return
            self._create(ordinal)
            if not spec.parallel:
                return
        outdated = [ordinal for ordinal, pod in self.pods.items() if not self._current(pod)]
        everyone_ready = all(pod.ready and not pod.terminating for pod in self.pods.values())
        if outdated and everyone_ready and len(self.pods) == spec.replicas:
            ordinal = max(outdated)
            self.runtime.record(
                f"StatefulSet/{spec.name}: rolling {self.pod_name(ordinal)} to revision {spec.template.revision}"
            )
            await self._remove(ordinal)

    def _create(self, ordinal: int) -> None:
        name = self.pod_name(ordinal)
        claims = {
            claim: f"{claim}-{name}" for claim in self.spec.claims
        }  # volume -> its claim, as the controller names it
        template = replace(
            self.spec.template,
            volumes=self.spec.template.volumes
            | {
                volume: {"name": volume, "persistentVolumeClaim": {"claimName": claim}}
                for volume, claim in claims.items()
            },
        )
        self.pods[ordinal] = self.runtime.create_pod(
            name, self.spec.namespace, template, owner=f"StatefulSet/{self.spec.name}", hostname=name,
            subdomain=self.spec.service_name,
            claims={claim: self.runtime.claim_path(self.spec.namespace, claim) for claim in claims.values()},
        )  # fmt: skip

    async def _remove(self, ordinal: int) -> None:
        pod = self.pods.pop(ordinal)
        await pod.delete()

    async def stop(self) -> None:
        """Stop reconciling (the pods are stopped by the runtime)."""
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


@dataclass
class JobStatus:
    """A Job's outcome so far."""

    name: str
    condition: str | None = None
    """None while running, then "Complete" or "Failed"."""
    reason: str = ""
    pods: list[Pod] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def failures(self) -> int:
        """Pods that ended in failure."""
        return sum(1 for pod in self.pods if pod.phase == "Failed")

    def logs(self) -> str:
        """Every attempt's output, each under its pod's name."""
        return "\n".join(
            f"--- {pod.name} ({pod.phase})\n{pod.log_text(container=pod.initializing())}" for pod in self.pods
        )


class JobController:
    """Runs a Job's pod until one succeeds: a failed pod is replaced after a back-off (10 s, doubling, at
    most 6 min) until `backoffLimit` failures; `activeDeadlineSeconds` after the start it is failed."""

    def __init__(self, runtime: "Runtime", spec: Job) -> None:
        self.runtime = runtime
        self.spec = spec
        self.status = JobStatus(spec.name)
        self.task: asyncio.Task[None] | None = None
        self.done = asyncio.Event()

    def start(self) -> None:
        """Begin the Job."""
        self.task = asyncio.get_running_loop().create_task(self._run(), name=f"job {self.spec.name}")

    async def _run(self) -> None:
        spec, status = self.spec, self.status
        deadline = status.started + spec.deadline if spec.deadline is not None else None
        try:
            while True:
                pod = self.runtime.create_pod(
                    f"{spec.name}-{secrets.token_hex(3)[:5]}", spec.namespace, spec.template, owner=f"Job/{spec.name}"
                )
                status.pods.append(pod)
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    await asyncio.wait_for(asyncio.shield(pod.finished.wait()), remaining)
                except TimeoutError:
                    await pod.delete()
                    self._finish("Failed", "DeadlineExceeded: the Job was active longer than activeDeadlineSeconds")
                    return
                if pod.phase == "Succeeded":
                    self._finish("Complete", "")
                    return
                if status.failures > spec.backoff_limit:
                    self._finish("Failed", f"BackoffLimitExceeded: {status.failures} pods failed")
                    return
                delay = min(JOB_BACKOFF_START * 2 ** (status.failures - 1), JOB_BACKOFF_MAX)
                if deadline is not None and time.monotonic() + delay > deadline:
                    await asyncio.sleep(max(0.0, deadline - time.monotonic()))
                    self._finish("Failed", "DeadlineExceeded: the Job was active longer than activeDeadlineSeconds")
                    return
                await asyncio.sleep(delay)
        finally:
            self.done.set()
            self.runtime.changed()

    def _finish(self, condition: str, reason: str) -> None:
        self.status.condition = condition
        self.status.reason = reason
        self.status.finished = time.monotonic()
        self.runtime.record(f"Job/{self.spec.name}: {condition} {reason}".rstrip())

    async def stop(self) -> None:
        """Stop the Job and its running pod."""
        if self.task is not None and not self.task.done():
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        for pod in self.status.pods:
            if not pod.finished.is_set():
                await pod.delete(0)
