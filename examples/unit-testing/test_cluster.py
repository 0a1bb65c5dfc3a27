"""A unit test of a program that uses KraftCluster, with the plain mocks of Pulumi's testing guide."""

from typing import Any

import pulumi
import pytest

from kraft_component import KraftCluster, KraftClusterArgs


class Mocks(pulumi.runtime.Mocks):
    """A resource's outputs are its inputs; what a provider would compute stays unset."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


@pytest.fixture(autouse=True)
def mocks() -> None:
    pulumi.runtime.set_mocks(Mocks(), preview=False)


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_clients_find_the_cluster_in_its_namespace() -> pulumi.Output[None]:
    cluster = KraftCluster("events", KraftClusterArgs({"name": "events", "namespace": "streaming"}))

    def check(outputs: list[Any]) -> None:
        bootstrap, statefulsets = outputs
        assert bootstrap == "events-bootstrap.streaming.svc.cluster.local:9092"
        assert statefulsets == {"controllers": "events-controllers", "brokers": "events-brokers"}

    return pulumi.Output.all(cluster.bootstrap_servers, cluster.statefulset_names).apply(check)
