"""The stack program: one KraftCluster from the `kraft:*` stack config, with its outputs exported."""

import pulumi

from .component import KraftCluster, KraftClusterArgs
from .credentials import password_key
from .spec import InvalidSpec, parse_cluster_id, parse_spec

CONFIG_NAMESPACE = "kraft"


def args_from_config(config: pulumi.Config) -> KraftClusterArgs:
    """Validate `kraft:cluster` and `kraft:clusterId` before anything is created."""
    try:
        spec = parse_spec(config.get_object("cluster"), key=f"{CONFIG_NAMESPACE}:cluster")
        adopted = config.get("clusterId")
        cluster_id = parse_cluster_id(adopted, key=f"{CONFIG_NAMESPACE}:clusterId") if adopted is not None else None
    except InvalidSpec as error:
        raise pulumi.RunError(str(error)) from None
    passwords = {
        user.name: password
        for user in spec.users
        if (password := config.get_secret(password_key(user.name).removeprefix(f"{CONFIG_NAMESPACE}:"))) is not None
    }
    return KraftClusterArgs(
        spec, cluster_id=pulumi.Output.secret(cluster_id) if cluster_id else None, user_passwords=passwords
    )


def run() -> KraftCluster:
    """Build the stack's cluster and export its outputs."""
    cluster = KraftCluster("kafka", args_from_config(pulumi.Config(CONFIG_NAMESPACE)))
    pulumi.export("bootstrap_servers", cluster.bootstrap_servers)
    pulumi.export("cluster_id", cluster.cluster_id)
    pulumi.export("namespace", cluster.namespace)
    pulumi.export("headless_service_name", cluster.headless_service_name)
    pulumi.export("bootstrap_service_name", cluster.bootstrap_service_name)
    pulumi.export("statefulset_names", cluster.statefulset_names)
    pulumi.export("user_secret_names", cluster.user_secret_names)
    pulumi.export("admin_password", cluster.admin_password)
    return cluster
