"""Every resource the programs register has a type token the engine and its provider accept.

Mocks take any token; the engine splits `package:module:Member` and the Kubernetes provider resolves a
CustomResource by the token's `group/version:Kind`, so a token built from something else (an Output's
string form, say) only fails at `pulumi up`.
"""

import re
from collections.abc import Callable

import pytest

from kraft_component.evaluation import Evaluation

from .helpers import STACKS, deploy, evaluate_stack

NAME = r"[A-Za-z0-9_.-]+"  # the engine's name grammar (sdk/go/common/tokens)
TOKEN = re.compile(rf"^(?P<package>{NAME}):(?P<module>(?:{NAME}/)*{NAME})?:(?P<member>{NAME})$")

PROGRAMS: dict[str, Callable[[], Evaluation]] = {f"stack {stack}": (lambda s=stack: evaluate_stack(s)) for stack in STACKS}
PROGRAMS["certManager TLS"] = lambda: deploy({"tls": {"source": "certManager", "issuer": {"name": "internal-ca"}}})
PROGRAMS["generated TLS"] = lambda: deploy({"tls": {"source": "generated"}})


@pytest.mark.parametrize("program", PROGRAMS)
def test_every_type_token_is_well_formed(program: str) -> None:
    malformed = [r.type for r in PROGRAMS[program]().registrations if not TOKEN.match(r.type)]
    assert not malformed, malformed


@pytest.mark.parametrize("program", PROGRAMS)
def test_kubernetes_tokens_name_the_api_version_and_kind_of_their_object(program: str) -> None:
    for registration in PROGRAMS[program]().registrations:
        if not registration.is_kubernetes_object:
            continue
        manifest = registration.manifest()
        group, _, version = manifest["apiVersion"].rpartition("/")
        expected = f"kubernetes:{group or 'core'}/{version}:{manifest['kind']}"
        assert registration.type.removesuffix("Patch") == expected, registration.name
