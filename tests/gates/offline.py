"""Gates 1-4 together: everything that needs no program besides Python."""

from collections.abc import Sequence

from . import Manifest
from .api_rules import api_rules
from .kafka_properties import kafka_properties
from .schema import SUPPORTED_KUBERNETES, client_models, openapi, quantities


def offline_gates(
    objects: Sequence[Manifest],
    kubernetes_versions: Sequence[str] = SUPPORTED_KUBERNETES,
    kafka_version: str | None = None,
) -> list[str]:
    """Every failure of gates 1-4 over one render."""
    schema = [problem for version in kubernetes_versions for problem in openapi(objects, version)]
    return [
        *schema,
        *client_models(objects),
        *quantities(objects),
        *api_rules(objects),
        *kafka_properties(objects, kafka_version),
    ]
