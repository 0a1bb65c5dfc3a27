"""The args of KraftCluster as a multi-language package: what Pulumi's analyzer turns into the schema's inputs.

`spec` has the keys of the `kraft:cluster` stack key, typed by package_types (generated from the spec's models);
the other inputs are those of KraftClusterArgs in camelCase (tests/test_public_args.py keeps the two in step).
"""

from typing import NotRequired, TypedDict

import pulumi

from .package_types import ClusterSpec


class PackageArgs(TypedDict):
    """The inputs of the hosted KraftCluster: KraftClusterArgs with camelCase keys."""

    spec: NotRequired[ClusterSpec]
    """The cluster, validated before anything is created; plain values: they decide which resources exist."""
    namespace: NotRequired[pulumi.Input[str]]
    """Overrides `spec.namespace` and stops the component creating it; may come from another resource."""
    clusterId: NotRequired[pulumi.Input[str]]
    """Adopt this KRaft cluster ID (22 characters of base64url) instead of generating one."""
    userPasswords: NotRequired[dict[str, pulumi.Input[str]]]
    """A password per application user (secret); users without one get a generated password."""
