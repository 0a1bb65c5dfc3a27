"""Gate 6: the Prometheus Operator's objects against the operator's own CRD schemas (strict: unknown fields fail).

The CRDs come from the operator's Go module, fetched from the Go module proxy once into the cache
(`$KRAFT_CACHE_DIR/tools/prometheus-operator-crds-<version>/`), the module zip checked against a pinned SHA-256:
the project keeps no copy of another project's files. Without the network the gate skips, naming what is missing,
and fails in CI (`CI` set).
"""

import hashlib
import io
import os
import shutil
import tempfile
import urllib.request
import zipfile
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from . import Manifest, failure

MODULE = "github.com/prometheus-operator/prometheus-operator"
VERSION = "v0.85.0"
ZIP_SHA256 = "0bdb88ed823d0f2e86cf909638439b6ad1da744a228172c7411d9987527dc5d1"
PROXY = "https://proxy.golang.org"
GROUP = "monitoring.coreos.com"
KINDS = {"PodMonitor": "podmonitors", "PrometheusRule": "prometheusrules"}
TIMEOUT_SECONDS = 120


class MissingCrds(RuntimeError):
    """The CRDs are neither cached nor downloadable; the message says what is missing."""


def cache_dir() -> Path:
    """Where the CRDs of VERSION are kept, outside the repository."""
    root = Path(os.environ.get("KRAFT_CACHE_DIR") or Path.home() / ".cache" / "kraft")
    return root / "tools" / f"prometheus-operator-crds-{VERSION}"


def _crd_path(plural: str) -> str:
    return f"{MODULE}@{VERSION}/example/prometheus-operator-crd/{GROUP}_{plural}.yaml"


def fetch(target: Path) -> None:
    """Download the module zip, check its digest and keep the CRDs of KINDS in `target`, which appears complete or
    not at all."""
    url = f"{PROXY}/{MODULE}/@v/{VERSION}.zip"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            archive = response.read()
    except OSError as error:
        raise MissingCrds(f"the Prometheus Operator CRDs {VERSION}: cannot download {url}: {error}") from None
    digest = hashlib.sha256(archive).hexdigest()
    if digest != ZIP_SHA256:
        raise MissingCrds(f"{url} has SHA-256 {digest}, not the pinned {ZIP_SHA256}")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    with zipfile.ZipFile(io.BytesIO(archive)) as module:
        for plural in KINDS.values():
            (staging / f"{plural}.yaml").write_bytes(module.read(_crd_path(plural)))
    try:
        staging.rename(target)
    except OSError:  # another run completed it first
        shutil.rmtree(staging)


@cache
def schemas() -> dict[str, Mapping[str, Any]]:
    """The strict openAPIV3Schema of each kind's v1 CRD version, fetched once."""
    folder = cache_dir()
    if not folder.is_dir():
        fetch(folder)
    found = {}
    for kind, plural in KINDS.items():
        crd = yaml.safe_load((folder / f"{plural}.yaml").read_text())
        (version,) = [version for version in crd["spec"]["versions"] if version["name"] == "v1"]
        found[kind] = strict(version["schema"]["openAPIV3Schema"])
    return found


def strict(schema: Any) -> Any:
    """A structural schema that refuses unknown fields, as `kubectl apply --validate=strict` does: every object with
    `properties` and without `x-kubernetes-preserve-unknown-fields` gets `additionalProperties: false`."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    tightened = {key: strict(value) for key, value in schema.items()}
    if "properties" in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
        tightened.setdefault("additionalProperties", False)
    return tightened


def is_operator_object(obj: Manifest) -> bool:
    """Whether an object is of the Prometheus Operator's API group."""
    return str(obj.get("apiVersion", "")).startswith(f"{GROUP}/")


def crd_schemas(objects: Iterable[Manifest]) -> list[str]:
    """Gate 6: each Prometheus Operator object against its CRD's schema; every error, not just the first."""
    failures = []
    for obj in filter(is_operator_object, objects):
        schema = schemas().get(str(obj.get("kind")))
        if obj.get("apiVersion") != f"{GROUP}/v1" or schema is None:
            failures.append(failure(obj, ("apiVersion",), f"no CRD of {obj.get('apiVersion')} {obj.get('kind')}"))
            continue
        validator = jsonschema.Draft7Validator(schema)
        for error in sorted(validator.iter_errors(obj), key=lambda e: [str(part) for part in e.absolute_path]):
            failures.append(failure(obj, error.absolute_path, f"{error.message} (Prometheus Operator {VERSION} CRD)"))
    return failures
