"""What a runner killed before it could close left behind. Every name a runner gives carries its process
ID and its slot among the runners alive in that process (network namespaces `kraft-<pid>-<slot>-*`, the
bridge `krb<pid in hex><slot>`, the cgroup `kraft-<pid>-<slot>`; the folder `kraft-pods-<pid>-*`); a new
runner removes those whose process is gone, and nothing else. Its processes die with it (each container's
launcher has a parent-death signal)."""

import contextlib
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from .cgroups import MEMORY_ROOT, MemoryCgroups
from .network import ip

STATE_PREFIX = "kraft-pods-"
SLOTS = 16  # one hex digit: a veth's name (`kv`, the runner's hex, a pod's serial) fits Linux's 15 characters

_slots_taken: set[int] = set()
_slots_lock = threading.Lock()


@dataclass(frozen=True)
class RunnerId:
    """How a runner's names tell it apart: from runners of other processes by the process ID, and from
    another runner alive in the same process (a real-Kafka stack kept for the session while another tier's
    test starts its own) by the slot."""

    pid: int
    slot: int

    def __str__(self) -> str:
        return f"{self.pid}-{self.slot}"

    @property
    def hex(self) -> str:
        return f"{self.pid:06x}{self.slot:x}"


def claim_id() -> RunnerId:
    """This process's lowest free slot, until release_id."""
    with _slots_lock:
        free = sorted(set(range(SLOTS)) - _slots_taken)
        if not free:
            raise RuntimeError(f"at most {SLOTS} pod runners can be alive in one process")
        _slots_taken.add(free[0])
        return RunnerId(os.getpid(), free[0])


def release_id(runner: RunnerId) -> None:
    with _slots_lock:
        _slots_taken.discard(runner.slot)


def alive(pid: int) -> bool:
    """Whether a process with this ID exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep() -> list[str]:
    """Remove the leftovers of runners whose process is gone; return what was removed."""
    removed = []
    for line in ip("netns", "list", check=False).stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        match = re.fullmatch(r"kraft-(\d+)-.*", name)
        if match and not alive(int(match[1])):
            ip("netns", "del", name, check=False)
            removed.append(f"network namespace {name}")
    for line in ip("-o", "link", "show", "type", "bridge", check=False).stdout.splitlines():
        match = re.search(r"^\d+: (krb([0-9a-f]{6})[0-9a-f])[:@]", line)
        if match and not alive(int(match[2], 16)):
            ip("link", "del", match[1], check=False)
            removed.append(f"bridge {match[1]}")
    with contextlib.suppress(OSError):
        for group in MEMORY_ROOT.glob("kraft-*"):
            match = re.fullmatch(r"kraft-(\d+)-\d+", group.name)
            if match and not alive(int(match[1])):
                MemoryCgroups(group.name).close()
                removed.append(f"cgroup {group}")
    for folder in Path(tempfile.gettempdir()).glob(f"{STATE_PREFIX}*"):
        match = re.match(rf"{STATE_PREFIX}(\d+)-", folder.name)
        if match and not alive(int(match[1])):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(f"folder {folder}")
    return removed
