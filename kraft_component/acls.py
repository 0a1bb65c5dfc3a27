"""Declared ACLs as kafka-acls.sh calls, which the users Job runs."""

from .spec import Acl, AclResource, ClusterSpec, Permission, User

RESOURCE_FLAGS = {
    AclResource.TOPIC: "--topic",
    AclResource.GROUP: "--group",
    AclResource.TRANSACTIONAL_ID: "--transactional-id",
}


def acl_arguments(user: User, acl: Acl) -> list[str]:
    """The kafka-acls.sh arguments (after `--add`) of one declared ACL."""
    verb = "allow" if acl.permission is Permission.ALLOW else "deny"
    resource = (
        ["--cluster"] if acl.resource_type is AclResource.CLUSTER else [RESOURCE_FLAGS[acl.resource_type], acl.name]
    )
    operations = [argument for operation in acl.operations for argument in ("--operation", operation.value)]
    return [
        f"--{verb}-principal", f"User:{user.name}", f"--{verb}-host", acl.host, *operations, *resource,
        "--resource-pattern-type", acl.pattern_type.value,
    ]  # fmt: skip


def acl_table(spec: ClusterSpec) -> str:
    """Every declared ACL as one tab-separated line of kafka-acls.sh arguments."""
    return "".join("\t".join(acl_arguments(user, acl)) + "\n" for user in spec.users for acl in user.acls)
