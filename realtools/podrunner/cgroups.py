"""Memory limits: each container start in a memory cgroup (v1) limited to the container's memory limit,
as a container runtime does, where this machine lets the runner create one."""

import contextlib
import os
import signal
import time
from pathlib import Path

MEMORY_ROOT = Path("/sys/fs/cgroup/memory")


class MemoryCgroups:
    """The runner's cgroups under `<memory hierarchy>/kraft-<id>`; none where the hierarchy is missing."""

    def __init__(self, name: str, root: Path = MEMORY_ROOT) -> None:
        self.path: Path | None = root / name
        try:
            self.path.mkdir(exist_ok=True)
        except OSError:
            self.path = None

    @property
    def enforced(self) -> bool:
        """Whether memory limits are enforced on this machine."""
        return self.path is not None

    def create(self, name: str, limit: int | None) -> Path | None:
        """A cgroup for one container start, limited to `limit` bytes (unlimited if None)."""
        if self.path is None:
            return None
        group = self.path / name
        group.mkdir()
        if limit is not None:
            (group / "memory.limit_in_bytes").write_text(str(limit))
        return group

    @staticmethod
    def oom_killed(group: Path | None) -> bool:
        """Whether the kernel killed a process of `group` for running out of memory."""
        if group is None:
            return False
        with contextlib.suppress(OSError):
            for line in (group / "memory.oom_control").read_text().splitlines():
                name, _, value = line.partition(" ")
                if name == "oom_kill":
                    return int(value) > 0
        return False

    @staticmethod
    def release(group: Path | None) -> None:
        """Remove a container's cgroup once its processes are gone (killing any that are left)."""
        if group is None or not group.exists():
            return
        for _ in range(50):
            with contextlib.suppress(OSError):
                pids = (group / "cgroup.procs").read_text().split()
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(int(pid), signal.SIGKILL)
                group.rmdir()
                return
            time.sleep(0.1)

    def close(self) -> None:
        """Remove every cgroup of the runner."""
        if self.path is None or not self.path.exists():
            return
        for group in self.path.iterdir():
            if group.is_dir():
                self.release(group)
        with contextlib.suppress(OSError):
            self.path.rmdir()
