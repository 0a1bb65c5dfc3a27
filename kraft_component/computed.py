"""Values only a provider computes (random IDs and passwords, keys, certificates), never None downstream.

A program's own unit tests run the component under Pulumi's mocks, which usually echo a resource's inputs back
as its outputs (Pulumi's testing guide): a value only the provider computes then arrives as None. The component
stands a clearly named placeholder in for it, so everything built from it (the cluster-ID Secret, the deployment
record, the certificate's digest) is still made, and a test can see which values a deployment computes. Under
the engine these values always exist, so the placeholder never reaches a cluster.
"""

import pulumi

# base64url-safe and 20 characters long, so it decodes like a RandomId's value where one is decoded.
PROVIDER_COMPUTED = "computed-by-provider"


def _or_placeholder(value: str | None) -> str:
    return PROVIDER_COMPUTED if value is None else value


def provider_computed(value: pulumi.Output[str]) -> pulumi.Output[str]:
    """`value`, or PROVIDER_COMPUTED where mocks left it unset."""
    return value.apply(_or_placeholder)
