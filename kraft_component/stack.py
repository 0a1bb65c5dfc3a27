"""The stack program: one KraftCluster from the `kraft:*` stack config, with its outputs exported.

The config is checked at the edge, before anything is created: `kraft:cluster` must say what to deploy, and a
key of the `kraft` namespace that the program does not read (a typo such as `kraft:clustr`) is refused rather
than silently ignored.
"""

import inspect
from collections.abc import Iterable
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from .component import KraftCluster, KraftClusterArgs
from .credentials import CONFIG_KEY_PREFIX, PASSWORD_RULE, check_password_owners
from .spec import ClusterSpec, InvalidSpec, parse_cluster_id, parse_spec

CONFIG_NAMESPACE = "kraft"
CLUSTER_KEY = f"{CONFIG_NAMESPACE}:cluster"
CLUSTER_ID_KEY = f"{CONFIG_NAMESPACE}:clusterId"
PASSWORD_KEYS = f"{CONFIG_KEY_PREFIX}<user>"
# Every key of the namespace, and what it holds: the reference and the stack-file schema are generated from it.
STACK_KEYS = {
    CLUSTER_KEY: "The cluster: the keys below (`{}` deploys every default). Required; an empty or null value is "
    "refused, since it is usually a YAML indentation mistake.",
    CLUSTER_ID_KEY: "Adopt an existing cluster ID (22 characters of base64url, the `cluster.id` of the volumes' "
    "`meta.properties`) instead of generating one. Secret: `pulumi config set --secret kraft:clusterId <id>`.",
    PASSWORD_KEYS: f"The password of the user `<user>` of `users` ({PASSWORD_RULE}); without it the user gets a "
    "generated 32-character password. Secret: `pulumi config set --secret kraft:password-<user> <password>`.",
}


def config_keys() -> set[str]:
    """Every config key the program was given: by the engine (the PULUMI_CONFIG environment) or by mocks."""
    return set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())


def check_namespace(keys: Iterable[str]) -> None:
    """Refuse a key of the namespace the program does not read, listing the keys it does."""
    unknown = sorted(
        key
        for key in keys
        if key.startswith(f"{CONFIG_NAMESPACE}:")
        and key not in (CLUSTER_KEY, CLUSTER_ID_KEY)
        and not key.startswith(CONFIG_KEY_PREFIX)
    )
    if unknown:
        raise InvalidSpec(
            f"{', '.join(unknown)}: unknown key; allowed keys in the {CONFIG_NAMESPACE} namespace: "
            f"{', '.join(STACK_KEYS)} (a user declared in {CLUSTER_KEY}.users)"
        )


def cluster_config(config: pulumi.Config) -> Any:
    """The value of `kraft:cluster`, which must be set and not empty (`{}` is every default)."""
    raw = config.get("cluster")
    if raw is None or raw.strip() in ("", "null"):
        state = "not set" if raw is None else "empty"
        raise InvalidSpec(
            f"{CLUSTER_KEY}: {state}; give the cluster's keys (docs/configuration.md), or {{}} for every default"
        )
    return config.get_object("cluster")


def user_passwords(config: pulumi.Config, spec: ClusterSpec, keys: Iterable[str]) -> dict[str, pulumi.Output[str]]:
    """The `kraft:password-<user>` secrets, each for a user the spec declares."""
    given = {key.removeprefix(CONFIG_KEY_PREFIX): key for key in keys if key.startswith(CONFIG_KEY_PREFIX)}
    check_password_owners(spec, given, key=PASSWORD_KEYS)
    return {user: config.require_secret(key.removeprefix(f"{CONFIG_NAMESPACE}:")) for user, key in given.items()}


def args_from_config(config: pulumi.Config) -> KraftClusterArgs:
    """Validate the `kraft` namespace before anything is created."""
    keys = config_keys()
    try:
        check_namespace(keys)
        spec = parse_spec(cluster_config(config), key=CLUSTER_KEY)
        adopted = config.get("clusterId")
        cluster_id = parse_cluster_id(adopted, key=CLUSTER_ID_KEY) if adopted is not None else None
        passwords = user_passwords(config, spec, keys)
    except InvalidSpec as error:
        raise pulumi.RunError(str(error)) from None
    return KraftClusterArgs(
        spec, cluster_id=pulumi.Output.secret(cluster_id) if cluster_id else None, user_passwords=passwords
    )


def run() -> KraftCluster:
    """Build the stack's cluster and export every output of the component, by its Python name."""
    cluster = KraftCluster("kafka", args_from_config(pulumi.Config(CONFIG_NAMESPACE)))
    for output in inspect.get_annotations(KraftCluster):
        pulumi.export(output, getattr(cluster, output))
    return cluster
