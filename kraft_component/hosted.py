"""KraftCluster as a multi-language Pulumi package, hosted by Pulumi's component provider (provider/).

The host hands a component its args as a plain dict shaped like the annotation of its `args` parameter, so the
hosted class is a thin subclass of KraftCluster that takes public_args.PackageArgs and builds the same
KraftClusterArgs a Python program would: one validation (`parse_spec`), one component, the same type token.

`python -m kraft_component.hosted` prints the schema; `bin/generate` keeps provider/schema.json equal to it.
"""

import json
from importlib.metadata import version
from typing import Any

import pulumi
from pulumi.provider.experimental.component import ComponentProvider

from . import component, record_provider
from .guards import Record
from .public_args import PackageArgs
from .record import PackageRecord
from .spec import parse_spec

PACKAGE = "kraft"  # with the class name, the type token: kraft:index:KraftCluster
VERSION = version("kraft")  # the Python distribution's, so the schema follows pyproject.toml


class KraftCluster(component.KraftCluster):
    """An Apache Kafka cluster in KRaft mode on Kubernetes: a StatefulSet per pool and what it needs around it."""

    def __init__(self, name: str, args: PackageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        spec = parse_spec(args.get("spec"), key="spec")
        cluster_args = component.KraftClusterArgs(
            spec, args.get("namespace"), args.get("clusterId"), args.get("userPasswords")
        )
        super().__init__(name, cluster_args, opts)

    def _deployment_record(
        self, name: str, choices: Record, digest: pulumi.Output[str], opts: pulumi.ResourceOptions
    ) -> PackageRecord:
        """The record as a resource of this package, whose checks this plugin runs (record_provider): the
        engine would run a dynamic provider with the Python of the program's virtualenv, which a program in
        another language does not have."""
        return PackageRecord(name, choices, digest, opts)


def component_provider() -> ComponentProvider:
    """The provider the plugin serves: it analyzes the hosted classes into the schema and constructs them."""
    return ComponentProvider([KraftCluster], PACKAGE, version=VERSION)


def host() -> None:
    """Serve the package to the Pulumi engine (the plugin's entry point): the component, and the record."""
    record_provider.serve(component_provider())


def schema() -> dict[str, Any]:
    """The package schema, as `pulumi package add` gets it from the plugin."""
    text = component_provider().schema
    assert text is not None, "ComponentProvider always generates its schema"
    document: dict[str, Any] = json.loads(text)
    return document


if __name__ == "__main__":
    print(json.dumps(schema(), indent=2))
