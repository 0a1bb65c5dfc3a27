"""The cache outside the repository: one folder per tool and version, valid only once complete."""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def root() -> Path:
    """`$KRAFT_CACHE_DIR`, or ~/.cache/kraft."""
    configured = os.environ.get("KRAFT_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "kraft"


def tools_dir() -> Path:
    """Where built tools live: `<root>/tools/<tool>-<version>/`."""
    return root() / "tools"


@contextmanager
def entry(final: Path) -> Iterator[Path]:
    """A temporary folder beside `final` that becomes `final` when the block completes, and is removed
    when it fails: a reader sees a complete entry or none."""
    final.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    try:
        yield scratch
        if final.exists():  # another build finished first: keep its entry
            shutil.rmtree(scratch)
        else:
            scratch.rename(final)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
