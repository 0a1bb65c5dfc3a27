"""Every resource the programs register has a type token the engine and its provider accept.

Mocks take any token; the engine splits `package:module:Member` and the Kubernetes provider resolves a
CustomResource by the token's `group/version:Kind`, so a token built from something else (an Output's
string form, say) only fails at `pulumi up`.
"""

import re
from typing import Any

import pytest

from kraft_component.evaluation import Evaluation

from .helpers import STACKS, deploy, evaluate_stack

NAME = r"[A-Za-z0-9_.-]+"  # the engine's name grammar (sdk/go/common/tokens)
TOKEN = re.compile(rf"^(?P<package>{NAME}):(?P<module>(?:{NAME}/)*{NAME})?:(?P<member>{NAME})$")

TLS_SOURCES: dict[str, dict[str, Any]] = {
    "certManager TLS": {"tls": {"source": "certManager", "issuer": {"name": "internal-ca"}}},
    "generated TLS": {"tls": {"source": "generated"}},
}
PROGRAMS = [f"stack {stack}" for stack in STACKS] + list(TLS_SOURCES)


def registered(program: str) -> Evaluation:
    """What a stack file, or the component with a TLS source, registers."""
    if program in TLS_SOURCES:
        return deploy(TLS_SOURCES[program])
    return evaluate_stack(program.removeprefix("stack "))


@pytest.mark.parametrize("program", PROGRAMS)
def test_every_type_token_is_well_formed(program: str) -> None:
    malformed = [r.type for r in registered(program).registrations if not TOKEN.match(r.type)]
    assert not malformed, malformed


@pytest.mark.parametrize("program", PROGRAMS)
def test_kubernetes_tokens_name_the_api_version_and_kind_of_their_object(program: str) -> None:
    for registration in registered(program).registrations:
        if not registration.is_kubernetes_object:
            continue
        manifest = registration.manifest()
        group, _, version = manifest["apiVersion"].rpartition("/")
        expected = f"kubernetes:{group or 'core'}/{version}:{manifest['kind']}"
        assert registration.type.removesuffix("Patch") == expected, registration.name
