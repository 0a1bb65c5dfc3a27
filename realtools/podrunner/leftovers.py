"""What a runner killed before it could close left behind. Every name a runner gives carries its process
ID (network namespaces `kraft-<pid>-*`, the bridge `krb<pid in hex>`, the cgroup `kraft-<pid>`, the folder
`kraft-pods-<pid>-*`); a new runner removes those whose process is gone, and nothing else. Its processes
die with it (each container's launcher has a parent-death signal)."""

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from .cgroups import MEMORY_ROOT, MemoryCgroups
from .network import ip

STATE_PREFIX = "kraft-pods-"


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
        match = re.search(r"^\d+: (krb([0-9a-f]{6}))[:@]", line)
        if match and not alive(int(match[2], 16)):
            ip("link", "del", match[1], check=False)
            removed.append(f"bridge {match[1]}")
    with contextlib.suppress(OSError):
        for group in MEMORY_ROOT.glob("kraft-*"):
            match = re.fullmatch(r"kraft-(\d+)", group.name)
            if match and not alive(int(match[1])):
                MemoryCgroups(group.name).close()
                removed.append(f"cgroup {group}")
    for folder in Path(tempfile.gettempdir()).glob(f"{STATE_PREFIX}*"):
        match = re.match(rf"{STATE_PREFIX}(\d+)-", folder.name)
        if match and not alive(int(match[1])):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(f"folder {folder}")
    return removed
