"""The deployment record: a resource whose provider refuses dangerous changes at preview.

A Pulumi program cannot read what it deployed last time, but a provider's `check` receives the previous
inputs next to the new ones. The record's inputs are the choices of kraft_component.guards.record, so
`check` compares the two and fails the preview with a message that names the key and the safe procedure.
"""

from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, Resource, ResourceProvider, UpdateResult
from pulumi.output import Unknown

from .guards import Record, ever_managed, refusals
from .wire import whole_numbers

RECORD_KEYS = ("clusterIdSha256", "metadataVersion", "pools", "quorum", "listeners", "topics", "managed")


def _record_of(properties: dict[str, Any]) -> Record:
    """The record's known keys: at preview a value another resource computes (a generated cluster ID) is
    unknown, and is compared when `up` checks the record again with every value known."""
    return {
        key: whole_numbers(properties[key])
        for key in RECORD_KEYS
        if key in properties and not isinstance(properties[key], Unknown)
    }


class GuardProvider(ResourceProvider):
    """Keeps the record in the stack's state and checks each new record against the deployed one."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Refuse the new record when it breaks a guard; keep what kraft ever managed (guards.ever_managed)."""
        previous, current = _record_of(_olds), _record_of(news)
        failures = [CheckFailure("pools", problem) for problem in refusals(previous, current)]
        return CheckResult(news | {"managed": ever_managed(previous.get("managed"), current["managed"])}, failures)

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
