"""`python -m kraft_component.generate [--check]` (bin/generate): every file made from another source.

- package_types.py and the package schema (provider/schema.json), from the spec's models;
- the JSON Schemas of `kraft:cluster` and of the stack files (docs/*.schema.json), from the same models;
- the generated blocks of README.md and docs/*.md: the configuration reference, the stack keys, the outputs,
  the package's inputs and outputs, the unit-testing example. A block sits between
  `<!-- generated: <name> ... -->` and `<!-- end generated -->`; the prose around it is written by hand.

`--check` changes nothing and lists the files that differ from a fresh generation (tests run it too).
"""

import argparse
import ast
import inspect
import itertools
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic.alias_generators import to_camel

from . import codegen, component, kafka_overrides, reference
from .spec import DEFAULT_KAFKA_VERSION, KAFKA_VERSIONS

PACKAGE_TYPES = Path("kraft_component/package_types.py")
PACKAGE_SCHEMA = Path("provider/schema.json")
UNIT_TEST_EXAMPLE = Path("examples/unit-testing/test_cluster.py")
TOKEN = "kraft:index:KraftCluster"
COMMAND = "bin/generate"
_BLOCK = re.compile(r"(<!-- generated: (?P<name>[a-z-]+)[^>]*-->\n)(?P<body>.*?)(<!-- end generated -->)", re.DOTALL)


def json_text(document: Any) -> str:
    """JSON as the repository keeps it: indented by two, a newline at the end."""
    return json.dumps(document, indent=2) + "\n"


def package_schema(root: Path) -> dict[str, Any]:
    """The package schema, from a fresh interpreter: this one may hold a package_types.py that was just rewritten."""
    completed = subprocess.run(
        [sys.executable, "-m", "kraft_component.hosted"], cwd=root, capture_output=True, text=True, check=True
    )
    schema: dict[str, Any] = json.loads(completed.stdout)
    return schema


def attribute_docstrings(cls: type) -> dict[str, str]:
    """The docstrings under a class's annotated attributes, read from its source as Pulumi's analyzer reads them
    (the analyzer reads only the hosted subclass, so the package schema's outputs carry none)."""
    (definition,) = ast.parse(inspect.getsource(cls)).body
    assert isinstance(definition, ast.ClassDef), cls
    statements = definition.body
    found = {}
    for statement, following in itertools.pairwise(statements):
        target = getattr(statement, "target", None)
        value = getattr(getattr(following, "value", None), "value", None)
        if target is not None and isinstance(value, str):
            found[target.id] = value
    return found


def _schema_type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return f"`{schema['$ref'].rsplit(':', 1)[1]}`"
    if schema.get("type") == "object":
        return f"map of {_schema_type(schema['additionalProperties'])}"
    return str(schema.get("type"))


def package_inputs(schema: dict[str, Any]) -> str:
    """The component's inputs in other languages, from the package schema."""
    resource = schema["resources"][TOKEN]
    rows = []
    for name, prop in resource["inputProperties"].items():
        kind = _schema_type(prop)
        when = "plain (known at preview)" if prop.get("plain") and "$ref" in prop else "may come from a resource"
        rows.append(f"| `{name}` | {kind} | {when} | {prop.get('description', '')} |")
    return "| Input | Type | Value | Meaning |\n| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n"


def outputs(schema: dict[str, Any]) -> str:
    """The component's outputs: their names in other languages (the package schema) and in Python and the stack."""
    described = attribute_docstrings(component.KraftCluster)
    python_names = {to_camel(name): name for name in described}
    rows = []
    for name, prop in schema["resources"][TOKEN]["properties"].items():
        python = python_names[name]
        rows.append(f"| `{name}` | `{python}` | {_schema_type(prop)} | {described[python]} |")
    header = "| Output | Python and stack output | Type | Value |\n| --- | --- | --- | --- |\n"
    return header + "\n".join(rows) + "\n"


def unit_test_example(root: Path) -> str:
    """The unit-testing example, as README shows it."""
    return f"```python\n{(root / UNIT_TEST_EXAMPLE).read_text()}```\n"


def kafka_versions() -> str:
    """The Kafka releases the spec accepts, and its default."""
    listed = ", ".join(f"`{version}`" for version in KAFKA_VERSIONS)
    return f"{listed}; the default is `{DEFAULT_KAFKA_VERSION}`.\n"


def kafka_keys_kraft_sets() -> str:
    """The Kafka keys kafkaConfig refuses, by the kraft key to set instead, and those refused for a reason."""
    rows = [
        f"| `{owner}` | {', '.join(f'`{key}*`' if key.endswith('.') else f'`{key}`' for key in keys)} |"
        for owner, keys in kafka_overrides.kraft_keys().items()
    ]
    refused = [f"| `{key}*` |" if key.endswith(".") else f"| `{key}` |" for key in kafka_overrides.REFUSED]
    reasons = [f"{row} {reason} |" for row, reason in zip(refused, kafka_overrides.REFUSED.values(), strict=True)]
    return (
        "| Set instead | Kafka keys |\n| --- | --- |\n" + "\n".join(rows) + "\n\n"
        "| Kafka key | Refused because |\n| --- | --- |\n" + "\n".join(reasons) + "\n"
    )


def blocks(root: Path, schema: dict[str, Any]) -> dict[str, Callable[[], str]]:
    """Each generated block's content, by name."""
    return {
        "cluster-reference": reference.cluster_reference,
        "stack-keys": reference.stack_keys,
        "outputs": lambda: outputs(schema),
        "package-inputs": lambda: package_inputs(schema),
        "unit-test-example": lambda: unit_test_example(root),
        "kafka-versions": kafka_versions,
        "kafka-keys-kraft-sets": kafka_keys_kraft_sets,
    }


def fill_blocks(text: str, contents: dict[str, Callable[[], str]], path: Path) -> str:
    """`text` with every generated block's content made anew."""

    def fill(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in contents:
            raise KeyError(f"{path}: unknown generated block {name!r}; known: {', '.join(contents)}")
        return f"{match[1]}\n{contents[name]()}\n{match[4]}"

    return _BLOCK.sub(fill, text)


def pages(root: Path) -> list[Path]:
    """The Markdown files that may hold generated blocks."""
    return [Path("README.md"), *sorted(path.relative_to(root) for path in (root / "docs").glob("*.md"))]


def generated(root: Path) -> dict[Path, str]:
    """Every generated file's content, by its path in the repository (package_types.py as the spec makes it now,
    the package schema as package_types.py on disk makes it)."""
    schema = package_schema(root)
    contents = blocks(root, schema)
    files = {
        PACKAGE_TYPES: codegen.package_types_source(),
        PACKAGE_SCHEMA: json_text(schema),
        Path("docs/kraft-cluster.schema.json"): json_text(reference.cluster_schema()),
        Path("docs/stack-file.schema.json"): json_text(reference.stack_file_schema()),
    }
    for page in pages(root):
        files[page] = fill_blocks((root / page).read_text(), contents, page)
    return files


def stale(root: Path) -> list[Path]:
    """The generated files whose content differs from a fresh generation."""
    return [
        path
        for path, text in generated(root).items()
        if not (root / path).is_file() or (root / path).read_text() != text
    ]


def write(root: Path) -> list[Path]:
    """Write every generated file; package_types.py first, since the package schema is analyzed from it."""
    source = codegen.package_types_source()
    changed = [PACKAGE_TYPES] if (root / PACKAGE_TYPES).read_text() != source else []
    (root / PACKAGE_TYPES).write_text(source)
    for path, text in generated(root).items():
        target = root / path
        if not target.is_file() or target.read_text() != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            changed.append(path)
    return sorted(set(changed))


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) every generated file; print the ones that changed (or differ)."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a generated file is stale")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository (default: .)")
    args = parser.parse_args(argv)
    if args.check:
        differing = stale(args.root)
        for path in differing:
            print(f"{path} differs from its generated content; run {COMMAND}", file=sys.stderr)
        return 1 if differing else 0
    for path in write(args.root):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
