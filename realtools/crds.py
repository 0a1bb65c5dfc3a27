"""CustomResourceDefinitions a stack needs in its cluster, from the Go module of the project that ships them,
downloaded through the module proxy and cached by version (nothing upstream is kept in the repository)."""

import shutil
from pathlib import Path

from . import cache, gotools

CERT_MANAGER = "1.21.2"
CERT_MANAGER_MODULE = "github.com/cert-manager/cert-manager"


def cert_manager() -> list[Path]:
    """cert-manager's CRDs of the `cert-manager.io` group (Certificate, Issuer, ...), as its release ships them
    in deploy/crds."""
    final = cache.tools_dir() / f"cert-manager-crds-{CERT_MANAGER}"
    if not final.is_dir():
        with cache.entry(final) as scratch:
            if scratch is not None:
                module = gotools.module_dir(CERT_MANAGER_MODULE, f"v{CERT_MANAGER}", scratch)
                for crd in (module / "deploy" / "crds").glob("cert-manager.io_*.yaml"):
                    shutil.copyfile(crd, scratch / crd.name)
    return sorted(final.glob("*.yaml"))
