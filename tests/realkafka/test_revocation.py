"""Users and ACLs that follow the config on real Kafka: the secure stack deployed again without a user and
without one of another user's ACLs, as `pulumi up` would apply it. The removed user can no longer log in, the
removed ACL no longer allows, an ACL added by hand for a principal kraft does not manage stays, and running the
users Job again changes nothing."""

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from kraft_component import naming
from kraft_component.manifests import bootstrap_servers
from tests.realkafka.apps import Client, user_config
from tests.realkafka.kafka import admin_tool
from tests.realkafka.shared import RunningStack

pytestmark = pytest.mark.realkafka

TOPIC = "ledger.entries"
WRITER, TEMPORARY, HAND_MADE = "ledger-writer", "ledger-temp", "User:ledger-auditor"
WRITE = {"resourceType": "topic", "name": TOPIC, "operations": ["Write"]}
DESCRIBE = {"resourceType": "topic", "name": TOPIC, "operations": ["Describe"]}
REFUSED = {"message.timeout.ms": 20000}  # a refused client gives up after 20 s rather than the default 5 min
CHANGES = re.compile(r"^kraft: (removed|added) .*$", re.MULTILINE)
SCRAM_USER = re.compile(r"^SCRAM credential configs for user-principal '(.+)' are", re.MULTILINE)


def with_users(stack: RunningStack, users: list[dict[str, Any]]) -> dict[str, Any]:
    """The stack's config with `users` declared after its own."""
    config = copy.deepcopy(stack.config)
    config["users"] = [*stack.config.get("users", []), *users]
    return config


def admin(stack: RunningStack, tool: str, *arguments: str) -> str:
    """A Kafka tool run as the admin user in a broker's pod, against the bootstrap Service."""
    pod = stack.pods(next(pool.name for pool in stack.spec.pools if pool.is_broker))[0]
    return admin_tool(stack.cluster, pod, [tool], "--bootstrap-server",
                      bootstrap_servers(stack.spec, stack.spec.namespace), *arguments)  # fmt: skip


def acls(stack: RunningStack, *principals: str) -> set[str]:
    """The ACL lines of `principals`, as `kafka-acls.sh --list` prints them."""
    arguments = [argument for principal in principals for argument in ("--principal", principal)]
    return {line.strip() for line in admin(stack, "kafka-acls.sh", "--list", *arguments).splitlines()
            if line.strip().startswith("(principal=")}  # fmt: skip


def scram_users(stack: RunningStack) -> set[str]:
    """The users that have SCRAM credentials."""
    return set(SCRAM_USER.findall(admin(stack, "kafka-configs.sh", "--describe", "--entity-type", "users")))


def test_a_removed_user_and_a_removed_acl_are_revoked_and_hand_made_acls_stay(
    secure_stack: RunningStack, tmp_path: Path
) -> None:
    job = naming.users_job_name(secure_stack.spec.name)
    topic = secure_stack.topic(TOPIC, 1, 3)
    admin(secure_stack, "kafka-acls.sh", "--add", "--allow-principal", HAND_MADE, "--operation", "Read",
          "--topic", topic)  # fmt: skip
    hand_made = acls(secure_stack, HAND_MADE)
    assert len(hand_made) == 1, hand_made
    first = secure_stack.deploy(with_users(secure_stack, [
        {"name": WRITER, "acls": [WRITE, DESCRIBE]},
        {"name": TEMPORARY, "acls": [WRITE, DESCRIBE]},
    ]))  # fmt: skip
    first.job_log(job)
    writer = Client(first, user_config(first, WRITER, tmp_path) | REFUSED, tmp_path)
    temporary = Client(first, user_config(first, TEMPORARY, tmp_path) | REFUSED, tmp_path)
    for client in (writer, temporary):  # both may log in and write
        produced = client.produce(topic, 5)
        assert (len(produced.delivered), produced.failed, produced.errors) == (5, {}, []), produced

    second = first.deploy(with_users(secure_stack, [{"name": WRITER, "acls": [DESCRIBE]}]))
    log = second.job_log(job)

    assert f"kraft: removed the SCRAM-SHA-512 credentials of {TEMPORARY}, who is no longer declared" in log, log
    refused = temporary.produce(topic, 5)
    assert refused.delivered == [] and "_AUTHENTICATION" in refused.errors, refused
    unauthorized = writer.produce(topic, 5)
    assert unauthorized.delivered == [] and unauthorized.failed == {"TOPIC_AUTHORIZATION_FAILED": 5}, unauthorized
    assert acls(second, f"User:{TEMPORARY}") == set()
    assert acls(second, HAND_MADE) == hand_made  # a principal kraft does not manage keeps its ACLs

    principals = (f"User:{WRITER}", f"User:{TEMPORARY}", HAND_MADE, "User:orders-service", "User:audit-reader")
    before = (acls(second, *principals), scram_users(second))
    log = second.rerun_job(job)
    assert CHANGES.findall(log) == [], log
    assert (acls(second, *principals), scram_users(second)) == before
