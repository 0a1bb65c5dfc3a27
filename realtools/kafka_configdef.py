"""Kafka's broker and topic ConfigDefs per release, read from the release's own jars.

`configdef/ConfigDefDump.java` runs on the release's classpath (`java -cp '<libs>/*' ConfigDefDump.java`) and
prints Kafka's own definitions as JSON; this module renders them into the committed data files
(kraft_component/data/kafka/<version>.json) that the component validates configs against.
"""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kraft_component.kafka_release import data_file, supported_versions
from realtools.kafka_jars import MissingPrerequisite, runtime_libs

PROGRAM = Path(__file__).with_name("configdef") / "ConfigDefDump.java"
SECTIONS = ("broker", "topic")
JAVA_TIMEOUT_SECONDS = 300


def java() -> str:
    """The `java` launcher: $JAVA_HOME's, else the one on PATH (Kafka 4.x needs Java 17 or newer)."""
    home = os.environ.get("JAVA_HOME")
    found = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if found is None or not Path(found).is_file():
        raise MissingPrerequisite("Java 17+ (java on PATH or JAVA_HOME) is needed to read Kafka's ConfigDefs")
    return found


def _run(version: str, arguments: Sequence[str], stdin: str = "") -> str:
    """Runs the dump program with the release's jars and returns what it printed."""
    command = [java(), "-cp", f"{runtime_libs(version)}/*", str(PROGRAM), *arguments]
    result = subprocess.run(
        command, input=stdin, capture_output=True, encoding="utf-8", check=False, timeout=JAVA_TIMEOUT_SECONDS
    )
    if result.returncode != 0:
        raise RuntimeError(f"reading Kafka {version}'s ConfigDefs failed:\n{result.stderr}")
    return result.stdout


def extract(version: str) -> dict[str, Any]:
    """The release's ConfigDefs as the dump program prints them, checked to be from that release."""
    release: dict[str, Any] = json.loads(_run(version, []))
    if release.get("kafka") != version:
        raise RuntimeError(f"the jars for {version} report Kafka {release.get('kafka')!r}")
    return release


def kafka_verdicts(version: str, settings: Iterable[tuple[str, str, str]]) -> list[str | None]:
    """Kafka's own verdict on each (section, name, value), section "broker" or "topic": the message of the error
    its parser and the key's validator raise, or None when it accepts the value."""
    lines = [f"{section} {name}={value}" for section, name, value in settings]
    if any("\n" in line or "\r" in line for line in lines):
        raise ValueError("each setting must be one line")
    printed = _run(version, ["check"], "".join(f"{line}\n" for line in lines))
    return [json.loads(verdict) for verdict in printed.split("\n")[:-1]]


def render(release: Mapping[str, Any]) -> str:
    """The data file's text: one key per line, sorted, so a new release shows up as a readable diff."""
    lines = ["{", f'  "kafka": {json.dumps(release["kafka"])},', f'  "commit": {json.dumps(release["commit"])},']
    for index, section in enumerate(SECTIONS):
        entries = release[section]
        lines.append(f'  "{section}": {{')
        lines.extend(
            f"    {json.dumps(name)}: {json.dumps(entries[name], sort_keys=True, ensure_ascii=False)}"
            + ("," if position < len(entries) - 1 else "")
            for position, name in enumerate(sorted(entries))
        )
        lines.append("  }" + ("," if index < len(SECTIONS) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def write(version: str) -> Path:
    """Extracts `version` and writes its data file."""
    target = data_file(version)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(extract(version)), encoding="utf-8")
    return target


def main(arguments: Sequence[str]) -> int:
    """Regenerates the named releases, or every release that has a data file."""
    for version in arguments or supported_versions():
        print(f"Kafka {version}: {write(version)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
