"""Built tools in the cache outside the repository: one folder per tool and version, valid only once complete."""

import fcntl
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .prerequisites import cache_root


def tools_dir() -> Path:
    """Where built tools live: `<cache root>/tools/<tool>-<version>/`."""
    return cache_root() / "tools"


@contextmanager
def entry(final: Path) -> Iterator[Path | None]:
    """A temporary folder beside `final` that becomes `final` when the block completes, and is removed when
    it fails: a reader sees a complete entry or none. One build of an entry at a time: a second waits, and
    gets None when the first has made the entry meanwhile."""
    final.parent.mkdir(parents=True, exist_ok=True)
    with open(final.parent / f".{final.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if final.exists():
            yield None
            return
        for stale in final.parent.glob(f".{final.name}-*"):  # left by a build that was killed (the lock is ours)
            shutil.rmtree(stale, ignore_errors=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
        try:
            yield scratch
            scratch.rename(final)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
