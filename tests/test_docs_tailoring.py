"""docs/tailoring.md: every stack-file example is a valid config that renders objects passing gates 1-4."""

import json
import re

import pytest
import yaml

from kraft_component.render import render
from kraft_component.spec import parse_spec
from tests.gates.offline import offline_gates
from tests.helpers import ROOT

PAGE = ROOT / "docs" / "tailoring.md"
EXAMPLES = [
    yaml.safe_load(block)["config"]["kraft:cluster"]
    for block in re.findall(r"```yaml\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)
]


def test_the_page_has_an_example_of_each_key() -> None:
    assert [sorted(key for key in ("template", "logging") if key in example) for example in EXAMPLES][:2] == [
        ["template"],
        ["logging"],
    ]
    assert "volumes" in EXAMPLES[2]["pools"][1]["storage"]
    assert "kafkaConfig" in EXAMPLES[3] and "kafkaConfig" in EXAMPLES[3]["pools"][1]


@pytest.mark.parametrize("example", EXAMPLES, ids=["pod template", "log levels", "volumes", "kafka settings"])
def test_each_example_renders_objects_that_pass_the_offline_gates(example: dict[str, object]) -> None:
    spec = parse_spec(example)
    objects = render(ROOT, "dev", {"kraft:cluster": json.dumps(example)})  # the example replaces the stack's
    assert offline_gates(objects, kafka_version=spec.kafka_version) == []
