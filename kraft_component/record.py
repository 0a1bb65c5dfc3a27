"""The deployment record: a resource whose provider refuses dangerous changes at preview.

A Pulumi program cannot read what it deployed last time, but a provider's `check` receives the previous
inputs next to the new ones. The record's inputs are the choices of kraft_component.guards.record, so
`check` compares the two and fails the preview with a message that names the key and the safe procedure.

Two resources carry the same record and the same check (`checked`): a Python program keeps it as a Python
dynamic resource (DeploymentRecord), which needs no plugin; the kraft plugin, which builds the component for
programs in every other language, keeps it as a resource of the kraft package that it serves itself
(PackageRecord, record_provider). A dynamic resource would not do there: the engine runs dynamic providers
with the Python of the *program's* virtualenv, and a YAML or TypeScript program has none that holds kraft.
"""

from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, Resource, ResourceProvider, UpdateResult
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from .guards import Record, ever_managed, refusals
from .wire import whole_numbers

RECORD_KEYS = ("clusterIdSha256", "metadataVersion", "pools", "quorum", "listeners", "topics", "managed")
PACKAGE_TYPE = "kraft:index:DeploymentRecord"


def _record_of(properties: dict[str, Any]) -> Record:
    """The record's known keys: at preview a value another resource computes (a generated cluster ID) is
    unknown, and is compared when `up` checks the record again with every value known."""
    return {
        key: whole_numbers(properties[key])
        for key in RECORD_KEYS
        if key in properties and not isinstance(properties[key], Unknown) and properties[key] != UNKNOWN
    }


def checked(olds: dict[str, Any], news: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The new record's inputs, keeping what kraft ever managed (guards.ever_managed), and every refusal of
    the change from `olds` (empty for a new stack). Unknown values (the Python SDK's, or the wire's) wait."""
    previous, current = _record_of(olds), _record_of(news)
    kept = news | {"managed": ever_managed(previous.get("managed"), current["managed"])}
    return kept, refusals(previous, current)


class GuardProvider(ResourceProvider):
    """Keeps the record in the stack's state and checks each new record against the deployed one."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Refuse the new record when it breaks a guard."""
        kept, problems = checked(_olds, news)
        return CheckResult(kept, [CheckFailure("pools", problem) for problem in problems])

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Nothing exists outside the state: the record is its inputs."""
        return CreateResult(id_=props["clusterIdSha256"][:16], outs=props)

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        """An accepted change becomes the new record."""
        return UpdateResult(outs=_news)


class DeploymentRecord(Resource):
    """The choices of the deployed cluster, kept in the stack state and guarded at every preview."""

    managed: pulumi.Output[Record]
    """Every user, topic and topic config key kraft ever declared (guards.ever_managed)."""

    def __init__(
        self, name: str, choices: Record, cluster_id_digest: pulumi.Output[str], opts: pulumi.ResourceOptions
    ) -> None:
        """`choices` are known from the spec; the digest of a generated cluster ID is unknown at a first
        preview, and only it waits: the other keys are checked at every preview."""
        super().__init__(GuardProvider(), name, {**choices, "clusterIdSha256": cluster_id_digest}, opts)


class PackageRecord(pulumi.CustomResource):
    """DeploymentRecord as a resource of the kraft package, served by the kraft plugin (record_provider)."""

    managed: pulumi.Output[Record]
    """Every user, topic and topic config key kraft ever declared (guards.ever_managed)."""

    def __init__(
        self, name: str, choices: Record, cluster_id_digest: pulumi.Output[str], opts: pulumi.ResourceOptions
    ) -> None:
        super().__init__(PACKAGE_TYPE, name, {**choices, "clusterIdSha256": cluster_id_digest}, opts)
