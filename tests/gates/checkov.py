"""Gate 5: checkov's Kubernetes policies, run as a separate program from its own virtualenv.

checkov pins many packages, so it is not a dev dependency: CI installs it with
`python -m venv .venv-checkov && .venv-checkov/bin/pip install checkov`. A skip is an annotation on the
object (`checkov.io/skip1: CKV_K8S_NN=reason`), written by the manifest builder that causes it.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kraft_component.render import to_yaml

from . import Manifest, failure, identity

ROOT = Path(__file__).resolve().parents[2]
BINARY_VARIABLE = "KRAFT_CHECKOV"
REQUIRE_VARIABLE = "KRAFT_REQUIRE_CHECKOV"
DEFAULT_BINARY = ROOT / ".venv-checkov" / "bin" / "checkov"
SKIP_PREFIX = "checkov.io/skip"
_CHECK_ID = re.compile(r"^CKV2?_K8S_[0-9]+$")


def checkov_binary() -> str | None:
    """$KRAFT_CHECKOV (None if it is not an executable), else .venv-checkov/bin/checkov in the repository,
    else `checkov` on PATH, else None."""
    configured = os.environ.get(BINARY_VARIABLE)
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    if DEFAULT_BINARY.is_file():
        return str(DEFAULT_BINARY)
    return shutil.which("checkov")


def _document_lines(objects: Sequence[Manifest]) -> tuple[str, list[tuple[int, int, Manifest]]]:
    """The YAML stream and the (first line, last line, object) of each document in it."""
    text, spans, line = "", [], 1
    for obj in objects:
        document = f"---\n{to_yaml(obj)}"
        lines = document.count("\n")
        spans.append((line, line + lines - 1, obj))
        text, line = text + document, line + lines
    return text, spans


def _owner(spans: list[tuple[int, int, Manifest]], line_range: Sequence[int], resource: str) -> str:
    """`Kind/name` of the document a finding's lines fall in (checkov names pods of workloads oddly)."""
    start = line_range[0] if line_range else 0
    return next((identity(obj) for first, last, obj in spans if first <= start <= last), resource)


def _reports(output: str) -> list[Mapping[str, Any]]:
    parsed = json.loads(output)
    return parsed if isinstance(parsed, list) else [parsed]


def checkov_targets(targets: Mapping[str, Sequence[Manifest]], binary: str) -> dict[str, list[str]]:
    """Run checkov once over several renders (one file each); failures by target name."""
    with tempfile.TemporaryDirectory(prefix="kraft-checkov-") as folder:
        files: dict[str, tuple[str, list[tuple[int, int, Manifest]]]] = {}
        for index, (name, objects) in enumerate(targets.items()):
            text, spans = _document_lines(objects)
            path = Path(folder) / f"target{index}.yaml"
            path.write_text(text, encoding="utf-8")
            files[str(path.resolve())] = (name, spans)
        command = [binary, "--framework", "kubernetes", "--skip-download", "-o", "json", "--quiet", "--compact"]
        for path_text in files:
            command += ["-f", path_text]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        failures: dict[str, list[str]] = {name: [] for name in targets}
        try:
            reports = _reports(completed.stdout) if completed.stdout.strip() else []
        except json.JSONDecodeError:
            reports = []
        if completed.returncode not in (0, 1) or (completed.returncode == 1 and not reports):
            problem = f"checkov did not run (exit {completed.returncode}): {completed.stderr.strip()[-500:]}"
            return {name: [problem] for name in targets}
        for report in reports:
            if report.get("summary", {}).get("parsing_errors"):
                for name in targets:
                    failures[name].append(f"checkov could not parse the rendered YAML: {report['summary']}")
            for check in report.get("results", {}).get("failed_checks", []):
                name, spans = files.get(_real(check.get("file_abs_path", "")), ("", []))
                owner = _owner(spans, check.get("file_line_range") or [], str(check.get("resource")))
                keys = ", ".join(
                    _dotted(str(key)) for key in (check.get("check_result") or {}).get("evaluated_keys") or []
                )
                failures.setdefault(name, []).append(
                    f"{owner}: {keys or '-'}: {check.get('check_id')} {check.get('check_name')}"
                )
        return failures


def _dotted(key: str) -> str:
    """checkov's `spec/template/spec/containers/[0]/image` as `spec.template.spec.containers[0].image`."""
    return key.replace("/[", "[").replace("/", ".")


def skip_annotations(objects: Iterable[Manifest]) -> list[str]:
    """Every `checkov.io/skipN` annotation is `CHECK_ID=reason`: one '=' (checkov splits on each) and a reason."""
    failures = []
    for obj in objects:
        for key, value in ((obj.get("metadata") or {}).get("annotations") or {}).items():
            if SKIP_PREFIX not in key:
                continue
            check, separator, reason = str(value).partition("=")
            if not separator or "=" in reason or not _CHECK_ID.match(check) or len(reason.split()) < 3:
                problem = f"{value!r} is not CHECK_ID=reason (a written reason of a few words, no other '=')"
                failures.append(failure(obj, ("metadata", "annotations", key), problem))
    return failures


def _real(path: str) -> str:
    return str(Path(path).resolve()) if path else ""


def checkov(objects: Sequence[Manifest], binary: str) -> list[str]:
    """Gate 5 over one render: checkov's failed checks, each as `Kind/name: evaluated keys: CKV_... name`."""
    return checkov_targets({"objects": objects}, binary)["objects"]
