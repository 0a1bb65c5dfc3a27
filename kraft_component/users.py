"""Application users: their credentials Secrets, and the Job that makes the cluster's users and ACLs follow the
config (the Pulumi engine usually cannot reach an in-cluster Kafka)."""

import hashlib
from collections.abc import Iterable
from typing import Any

from . import listeners, naming
from .acls import acl_table
from .jobs import admin_job, admin_volumes
from .kafka_security import scram_jaas
from .manifests import Manifest, bootstrap_servers, secret
from .spec import ClusterSpec, User

PASSWORD_KEY = "password"


def credentials(spec: ClusterSpec, user: User, namespace: str, password: str) -> dict[str, str]:
    """What an application needs to connect as `user`, under the usual client property names."""
    return {
        "username": user.name,
        PASSWORD_KEY: password,
        "bootstrap.servers": bootstrap_servers(spec, namespace),
        "security.protocol": listeners.protocol(spec, listeners.CLIENT),
        "sasl.mechanism": listeners.SCRAM_MECHANISM,
        "sasl.jaas.config": scram_jaas(user.name, password),
    }


def user_secret(spec: ClusterSpec, user: User, namespace: str, *, data: Any) -> Manifest:
    """The Secret with one user's credentials (`data` is a secret Output of `credentials`)."""
    return secret(spec, naming.user_secret_name(spec.name, user.name), namespace, data, **{"kraft/user": user.name})


def retired_users(spec: ClusterSpec, ever_declared: Iterable[str]) -> list[str]:
    """Users kraft declared once and no longer does: the Job removes their credentials and ACLs. Never the
    bootstrapped users, whatever the record says."""
    return sorted(set(ever_declared) - {user.name for user in spec.users} - set(naming.BOOTSTRAPPED_USERS))


def users_job(spec: ClusterSpec, namespace: str, credentials_revision: str, retired: list[str]) -> Manifest:
    """The Job that makes the cluster's users and ACLs those of `spec` (scripts/users.sh), revoking the `retired`
    users. `credentials_revision` changes with any password, so a new password re-runs the Job; it reveals
    nothing about them. A change of the ACLs changes the Job too, and re-runs it."""
    revisions = {
        "kraft/credentials-revision": credentials_revision,
        "kraft/acls-sha256": hashlib.sha256(acl_table(spec).encode()).hexdigest(),
    }
    volumes, mounts = admin_volumes(spec)
    passwords = [
        {
            "secret": {
                "name": naming.user_secret_name(spec.name, user.name),
                "items": [{"key": PASSWORD_KEY, "path": user.name}],
            }
        }
        for user in spec.users
    ]
    if passwords:  # the API server drops an empty `sources`, and the next preview would replace the Job forever
        volumes.append({"name": "users", "projected": {"sources": passwords, "defaultMode": 0o440}})
        mounts.append({"name": "users", "mountPath": naming.USERS_MOUNT, "readOnly": True})
    return admin_job(
        spec, namespace, naming.users_job_name(spec.name), "users",
        ["/bin/bash", f"{naming.CONFIG_MOUNT}/{naming.USERS_SCRIPT}"],
        env={
            "KRAFT_BOOTSTRAP_SERVERS": bootstrap_servers(spec, namespace),
            "KRAFT_USERS_DIR": naming.USERS_MOUNT,
            "KRAFT_ACLS": f"{naming.CONFIG_MOUNT}/{naming.ACLS_KEY}",
            "KRAFT_RETIRED_USERS": " ".join(retired),
        },
        volumes=volumes, mounts=mounts, annotations=revisions,
    )  # fmt: skip
