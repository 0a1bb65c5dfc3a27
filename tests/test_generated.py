"""Generated files are fresh; the schemas accept the stack files and refuse their typos; the docs are checked
where they cannot be generated: README's first screen, its program, and every link."""

import copy
import json
import re
import runpy
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from pydantic import Field

from kraft_component import codegen, generate, reference, spec
from kraft_component.evaluation import evaluate

from .helpers import ROOT, STACKS, objects

SCHEMA_LINE = "# yaml-language-server: $schema=../docs/stack-file.schema.json"
STACK_FILE_SCHEMA = Draft202012Validator(json.loads((ROOT / "docs" / "stack-file.schema.json").read_text()))
CLUSTER_SCHEMA = Draft202012Validator(json.loads((ROOT / "docs" / "kraft-cluster.schema.json").read_text()))
FIRST_SCREEN = 60  # lines a newcomer reads before scrolling


def test_every_generated_file_is_fresh() -> None:
    stale = generate.stale(ROOT)
    assert stale == [], f"{', '.join(map(str, stale))}: stale; run bin/generate and review the difference"


class _GrownQuorum(spec.Quorum):
    """The quorum after it gained a key, and made one required."""

    voters: int = Field(default=3, description="How many voters.")
    mode: spec.QuorumMode = Field(description="How controllers find the quorum.")


def test_a_key_the_spec_gains_appears_in_the_reference_and_the_package_types() -> None:
    source = codegen.class_source(_GrownQuorum)
    assert '    voters: NotRequired[int]\n    """How many voters. Default: `3`."""\n' in source
    assert '    mode: QuorumMode\n    """How controllers find the quorum."""\n' in source
    assert _GrownQuorum.model_json_schema()["properties"]["voters"]["description"] == "How many voters."


@pytest.mark.parametrize("section", reference.sections(), ids=lambda section: section.paths[0])
def test_every_key_of_the_spec_says_what_it_means(section: reference.Section) -> None:
    assert section.model.__doc__, f"{section.model.__name__} has no docstring"
    for name, field in section.model.model_fields.items():
        description = field.description or ""
        assert description.endswith((".", ".)")), f"{section.paths[0]}.{name}: a sentence, please: {description!r}"


# --- the schemas -------------------------------------------------------------------------------------------


def stack_document(stack: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    return document


def errors(document: Any, validator: Draft202012Validator = STACK_FILE_SCHEMA) -> list[str]:
    return [error.message for error in validator.iter_errors(document)]


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_file_points_an_editor_at_the_schema_and_validates_against_it(stack: str) -> None:
    path = ROOT / "stacks" / f"Pulumi.{stack}.yaml"
    assert path.read_text().splitlines()[0] == SCHEMA_LINE
    assert (path.parent / SCHEMA_LINE.partition("$schema=")[2]).resolve().is_file()
    assert errors(stack_document(stack)) == []
    assert errors(stack_document(stack)["config"]["kraft:cluster"], CLUSTER_SCHEMA) == []


def edited(change: Any) -> dict[str, Any]:
    """The prod stack file after `change(document)`."""
    document = copy.deepcopy(stack_document("prod"))
    change(document)
    return document


def cluster(document: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = document["config"]["kraft:cluster"]
    return value


MISTAKES = {
    "a misspelt stack key": lambda d: d["config"].update({"kraft:clustr": {}}),
    "a stack key in the wrong case": lambda d: d["config"].update({"kraft:clusterid": "x"}),
    "kraft:cluster missing": lambda d: d["config"].pop("kraft:cluster"),
    "a misspelt top-level key": lambda d: d.update({"confg": {}}),
    "a misspelt cluster key": lambda d: cluster(d).update({"kafkaVerison": "4.3.1"}),
    "a misspelt pool key": lambda d: cluster(d)["pools"][0].update({"replica": 3}),
    "a value outside its set": lambda d: cluster(d).update({"profile": "prod"}),
    "a version written as a number": lambda d: cluster(d).update({"kafkaVersion": 4.3}),
    "a quantity with a typo": lambda d: cluster(d)["pools"][0]["storage"].update({"size": "4Gii"}),
    "a count out of range": lambda d: cluster(d)["pools"][0].update({"replicas": 0}),
    "a password of a user name no user can have": lambda d: d["config"].update({"kraft:password-Orders": "x"}),
}


@pytest.mark.parametrize("change", MISTAKES.values(), ids=MISTAKES)
def test_the_stack_file_schema_refuses_a_mistake(change: Any) -> None:
    assert errors(edited(change)) != []


ACCEPTED = {
    "a passphrase stack's salt": lambda d: d.update({"encryptionsalt": "v1:abc"}),
    "an encrypted cluster ID": lambda d: d["config"].update({"kraft:clusterId": {"secure": "v1:abc"}}),
    "a user's password": lambda d: d["config"].update({"kraft:password-orders-service": "a" * 20}),
    "another namespace": lambda d: d["config"].update({"kubernetes:context": "kind-kraft-dev"}),
    "keys without the project's namespace": lambda d: d.update({"config": {"cluster": cluster(d)}}),
    "quantities as numbers": lambda d: cluster(d)["pools"][0]["resources"]["limits"].update(
        {"cpu": 1, "memory": 4294967296}
    ),
}


@pytest.mark.parametrize("change", ACCEPTED.values(), ids=ACCEPTED)
def test_the_stack_file_schema_accepts_what_pulumi_and_the_program_accept(change: Any) -> None:
    assert errors(edited(change)) == []


# --- the docs ----------------------------------------------------------------------------------------------


def readme() -> str:
    return (ROOT / "README.md").read_text()


def test_readmes_first_screen_says_what_it_is_how_to_set_up_and_where_to_go() -> None:
    screen = readme().split("\n## Unit-testing your program")[0]
    assert len(screen.splitlines()) <= FIRST_SCREEN
    setup = screen.split("## Set up\n\n```bash\n")[1].split("```")[0]
    assert [line.split("#")[0].strip() for line in setup.splitlines()] == ["bin/dev-up", "bin/test"]
    assert all((ROOT / command).stat().st_mode & 0o111 for command in ("bin/dev-up", "bin/test"))
    for page in ("configuration", "how-it-works", "operations", "security", "render", "testing"):
        assert f"](docs/{page}.md)" in screen


def test_readmes_program_deploys_the_cluster_it_describes() -> None:
    program = readme().split("## Your program\n\n```python\n")[1].split("```")[0]
    assert len(program.splitlines()) <= 12
    path = ROOT / ".readme_program.py"
    path.write_text(program)
    try:
        evaluation = evaluate(lambda: runpy.run_path(str(path)) and None)
    finally:
        path.unlink()
    names = {obj["metadata"]["name"] for obj in objects(evaluation, "StatefulSet")}
    assert names == {"events-controllers", "events-brokers"}


def anchors(page: Path) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown page (a repeated heading gets -1, -2, ...)."""
    text = re.sub(r"(?ms)^```.*?^```", "", page.read_text())
    found: set[str] = set()
    for heading in re.findall(r"(?m)^#+ (.+)$", text):
        anchor, count = reference.slug(heading), 0
        while (anchor if not count else f"{anchor}-{count}") in found:
            count += 1
        found.add(anchor if not count else f"{anchor}-{count}")
    return found


DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_link_between_the_docs_leads_somewhere(document: Path) -> None:
    text = re.sub(r"(?ms)^```.*?^```", "", document.read_text())
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        path = (document.parent / file).resolve() if file else document
        if not path.exists() or (anchor and anchor not in anchors(path)):
            broken.append(target)
    assert broken == []
