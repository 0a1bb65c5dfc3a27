"""Users and ACLs that follow the config: the users Job's script under real bash in the pod its manifest describes,
against stand-in admin tools that keep a cluster's SCRAM users and ACLs; what kraft counts as its own; where the
component registers the Job."""

import json
from pathlib import Path
from typing import Any

import pytest

from kraft_component import naming
from kraft_component.guards import ever_managed, managed, record
from kraft_component.record import GuardProvider
from kraft_component.spec import ClusterSpec, parse_spec
from kraft_component.users import retired_users, users_job
from tests.helpers import deploy, objects
from tests.standins import SCRAM_PASSWORDS, AdminCluster, Start, user_password

POOLS = [
    {"name": "controllers", "roles": ["controller"], "replicas": 3},
    {"name": "brokers", "roles": ["broker"], "replicas": 3},
]
ORDERS_ACLS = [
    {"resourceType": "topic", "name": "orders.", "patternType": "prefixed", "operations": ["Read", "Write"]},
    {"resourceType": "cluster", "name": "kafka-cluster", "operations": ["IdempotentWrite"]},
]
AUDIT_ACLS = [{"resourceType": "group", "name": "audit", "operations": ["Read"], "permission": "deny"}]
CLUSTER_ID = "MkU3OEVBNTcwNTJENDM2Qg"
HAND_MADE = {"ops-by-hand": {"SCRAM-SHA-256": {"iterations": 4096, "password": "x"}}}
HAND_MADE_ACL = ["TOPIC", "ops", "LITERAL", "User:ops-by-hand", "*", "ALL", "ALLOW"]


def cluster(users: list[dict[str, Any]]) -> ClusterSpec:
    return parse_spec({"pools": POOLS, "users": users})


BOTH = cluster([{"name": "orders", "acls": ORDERS_ACLS}, {"name": "audit", "acls": AUDIT_ACLS}])


class UsersJob(AdminCluster):
    """The users Job, run again and again against one stand-in cluster."""

    def run_users(self, spec: ClusterSpec, retired: list[str] | None = None) -> Start:
        return self.run(spec, users_job(spec, "kafka", "revision", retired or []))

    @property
    def users(self) -> set[str]:
        return set(self.state["scram"])

    def acls(self, user: str) -> list[str]:
        return sorted("\t".join(entry) for entry in self.state["acls"] if entry[3] == f"User:{user}")


def changes(start: Start) -> list[tuple[str, ...]]:
    """The calls that change the cluster (everything but listing and setting passwords)."""
    return [
        call.args
        for call in start.calls
        if "--list" not in call.args and "--describe" not in call.args and "--add-config" not in call.args
    ]


@pytest.fixture
def job(tmp_path: Path) -> UsersJob:
    return UsersJob(tmp_path)


def test_the_job_sets_every_password_and_adds_every_acl_as_the_admin(job: UsersJob) -> None:
    job.run_users(BOTH)

    assert job.users == {"orders", "audit"}
    assert job.state["scram"]["orders"]["SCRAM-SHA-512"] == {"iterations": 8192, "password": user_password("orders")}
    assert job.acls("orders") == [
        "CLUSTER\tkafka-cluster\tLITERAL\tUser:orders\t*\tIDEMPOTENT_WRITE\tALLOW",
        "TOPIC\torders.\tPREFIXED\tUser:orders\t*\tREAD\tALLOW",
        "TOPIC\torders.\tPREFIXED\tUser:orders\t*\tWRITE\tALLOW",
    ]
    assert job.acls("audit") == ["GROUP\taudit\tLITERAL\tUser:audit\t*\tREAD\tDENY"]
    assert job.client_config["sasl.jaas.config"].endswith(
        f'username="{naming.ADMIN_USER}" password="{SCRAM_PASSWORDS[naming.ADMIN_USER]}";'
    )


def test_running_again_changes_nothing(job: UsersJob) -> None:
    job.run_users(BOTH)
    before = job.state

    again = job.run_users(BOTH)

    assert changes(again) == []
    assert job.state == before


def test_a_removed_user_loses_its_credentials_and_acls_and_nobody_else_is_touched(job: UsersJob) -> None:
    job.state["scram"] |= HAND_MADE
    job.state["acls"].append(HAND_MADE_ACL)
    job.run_users(BOTH)

    job.run_users(cluster([{"name": "orders", "acls": ORDERS_ACLS}]), retired=["audit"])

    assert job.users == {"orders", "ops-by-hand"}, "the retired user is gone, the one made by hand stays"
    assert job.acls("audit") == []
    assert len(job.acls("orders")) == 3
    assert HAND_MADE_ACL in job.state["acls"]


def test_a_removed_acl_is_removed_and_the_others_stay(job: UsersJob) -> None:
    job.run_users(BOTH)

    start = job.run_users(cluster([{"name": "orders", "acls": ORDERS_ACLS[:1]}, {"name": "audit", "acls": AUDIT_ACLS}]))

    assert job.acls("orders") == [
        "TOPIC\torders.\tPREFIXED\tUser:orders\t*\tREAD\tALLOW",
        "TOPIC\torders.\tPREFIXED\tUser:orders\t*\tWRITE\tALLOW",
    ]
    assert len(job.acls("audit")) == 1
    (removal,) = changes(start)
    assert removal[:2] == ("--remove", "--force") or "--remove" in removal
    assert "IDEMPOTENTWRITE" in removal and "--cluster" in removal


def test_an_acl_added_by_hand_for_a_declared_user_is_removed_one_for_another_principal_stays(job: UsersJob) -> None:
    by_hand = ["GROUP", "orders-extra", "LITERAL", "User:orders", "*", "READ", "ALLOW"]
    job.state["acls"] += [by_hand, HAND_MADE_ACL]

    job.run_users(BOTH)

    assert by_hand not in job.state["acls"], "kraft owns the ACLs of the users it declares"
    assert HAND_MADE_ACL in job.state["acls"]


def test_the_bootstrapped_users_are_never_retired(job: UsersJob) -> None:
    job.state["scram"] |= {user: {"SCRAM-SHA-512": {"iterations": 8192, "password": "p"}} for user in SCRAM_PASSWORDS}
    retired = retired_users(cluster([]), ["orders", *naming.BOOTSTRAPPED_USERS])
    assert retired == ["orders"]

    job.run_users(cluster([]), retired)

    assert job.users == set(SCRAM_PASSWORDS)


# --- what kraft manages ---------------------------------------------------------------------------------------


def test_every_user_ever_declared_stays_managed_so_its_removal_revokes_it() -> None:
    first = managed(BOTH)
    later = managed(cluster([{"name": "orders"}]))
    assert ever_managed(first, later)["users"] == ["audit", "orders"]
    assert retired_users(cluster([{"name": "orders"}]), ever_managed(first, later)["users"]) == ["audit"]
    assert ever_managed(None, later)["users"] == ["orders"], "a first deployment manages what it declares"


def test_the_record_keeps_what_kraft_ever_managed_across_deployments() -> None:
    provider = GuardProvider()
    first = provider.check({}, record(BOTH, CLUSTER_ID))
    second = provider.check(first.inputs, record(cluster([]), CLUSTER_ID))
    assert first.failures == second.failures == []
    assert second.inputs["managed"]["users"] == ["audit", "orders"]


# --- the Job --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "present"),
    [
        ({"pools": POOLS}, True),
        ({"pools": POOLS, "users": [{"name": "orders"}]}, True),
        ({"pools": POOLS, "listeners": {"client": "SSL"}, "authorization": {"enabled": False}}, False),
    ],
    ids=["no users, SASL", "users", "no SASL listener"],
)
def test_the_job_exists_whenever_users_can_log_in(data: dict[str, Any], present: bool) -> None:
    evaluation = deploy(data)
    jobs = [job["metadata"]["name"] for job in objects(evaluation, "Job")]
    assert (naming.users_job_name("kafka") in jobs) is present
    assert (naming.USERS_SCRIPT in objects(evaluation, "ConfigMap")[0]["data"]) is present


def test_the_job_changes_with_the_acls_passwords_and_retired_users_without_revealing_a_password() -> None:
    one = cluster([{"name": "orders", "acls": ORDERS_ACLS}])
    other = cluster([{"name": "orders", "acls": ORDERS_ACLS[:1]}])
    template = users_job(one, "kafka", "revision", [])["spec"]["template"]
    assert template["metadata"]["annotations"]["kraft/credentials-revision"] == "revision"
    assert template != users_job(other, "kafka", "revision", [])["spec"]["template"]
    assert template != users_job(one, "kafka", "other", [])["spec"]["template"]
    retiring = users_job(one, "kafka", "revision", ["audit", "billing"])["spec"]["template"]
    env = {variable["name"]: variable["value"] for variable in retiring["spec"]["containers"][0]["env"]}
    assert env["KRAFT_RETIRED_USERS"] == "audit billing"
    assert user_password("orders") not in json.dumps(retiring)


def test_without_application_users_the_job_mounts_no_empty_projected_volume(job: UsersJob) -> None:
    alone = cluster([])
    volumes = users_job(alone, "kafka", "revision", [])["spec"]["template"]["spec"]["volumes"]
    assert all(volume.get("projected", {}).get("sources") != [] for volume in volumes)
    job.run_users(alone)  # the script runs without the folder of passwords
    assert job.users <= set(naming.BOOTSTRAPPED_USERS)
