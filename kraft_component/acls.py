"""Declared ACLs as single entries in the form Kafka lists them, which the users Job compares with what exists.

One declared ACL with several operations is several entries in Kafka (one per operation). An entry is a line of
tab-separated fields: resource type, resource name, pattern type, principal, host, operation, permission, each
spelt as `kafka-acls.sh --list` prints it (`TOPIC`, `PREFIXED`, `IDEMPOTENT_WRITE`, `ALLOW`), so the Job can tell
an ACL that exists from one that is missing or no longer declared by comparing lines.
"""

from .spec import Acl, AclResource, ClusterSpec, User

RESOURCE_TYPES = {
    AclResource.TOPIC: "TOPIC",
    AclResource.GROUP: "GROUP",
    AclResource.CLUSTER: "CLUSTER",
    AclResource.TRANSACTIONAL_ID: "TRANSACTIONAL_ID",
}


def principal(user: str) -> str:
    """The principal a SCRAM user authenticates as."""
    return f"User:{user}"


def _constant(camel: str) -> str:
    """`IdempotentWrite` as Kafka's enum constant `IDEMPOTENT_WRITE`."""
    return "".join(f"_{char}" if char.isupper() and index else char for index, char in enumerate(camel)).upper()


def acl_entries(user: User, acl: Acl) -> list[str]:
    """The entries of one declared ACL, one per operation."""
    resource = [RESOURCE_TYPES[acl.resource_type], acl.name, acl.pattern_type.value.upper()]
    return [
        "\t".join([*resource, principal(user.name), acl.host, _constant(operation.value), acl.permission.value.upper()])
        for operation in acl.operations
    ]


def acl_table(spec: ClusterSpec) -> str:
    """Every declared ACL entry, one line each, in declaration order without repeats."""
    entries = [entry for user in spec.users for acl in user.acls for entry in acl_entries(user, acl)]
    return "".join(f"{entry}\n" for entry in dict.fromkeys(entries))
