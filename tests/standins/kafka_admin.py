#!/usr/bin/env python3
"""Stand-in for kafka-configs.sh, kafka-acls.sh and kafka-topics.sh against a cluster kept in $KAFKA_HOME/cluster.json:
SCRAM users, ACL entries, topics with their partitions, replication factor and configs. Each call is recorded in
$KAFKA_HOME/record like the other stand-ins (tool, then its arguments, tab-separated); the --command-config file is
kept as $KAFKA_HOME/client.properties. Output follows the real tools' formats (ConfigCommand, AclCommand,
TopicCommand of Kafka 4.3), which is what the Job scripts parse; a request the real tool refuses exits 1.
"""

import json
import re
import sys
from pathlib import Path
from typing import Any, NoReturn

HOME = Path(__file__).resolve().parents[1]
STATE = HOME / "cluster.json"
OPERATIONS = (
    "ALL", "READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE", "CLUSTER_ACTION", "DESCRIBE_CONFIGS",
    "ALTER_CONFIGS", "IDEMPOTENT_WRITE", "CREATE_TOKENS", "DESCRIBE_TOKENS", "TWO_PHASE_COMMIT",
)  # fmt: skip
RESOURCE_FLAGS = {
    "--topic": "TOPIC", "--group": "GROUP", "--transactional-id": "TRANSACTIONAL_ID",
    "--delegation-token": "DELEGATION_TOKEN", "--user-principal": "USER",
}  # fmt: skip


def fail(message: str) -> NoReturn:
    print(message, file=sys.stderr)
    sys.exit(1)


def options(arguments: list[str]) -> dict[str, list[str]]:
    """Every `--flag value` and bare `--flag` (value "") of a command line, values in order."""
    found: dict[str, list[str]] = {}
    index = 0
    while index < len(arguments):
        flag = arguments[index]
        has_value = index + 1 < len(arguments) and not arguments[index + 1].startswith("--")
        found.setdefault(flag, []).append(arguments[index + 1] if has_value else "")
        index += 2 if has_value else 1
    return found


def operation(name: str) -> str:
    """An operation as AclCommand reads it: Pascal case, or upper case without underscores."""
    by_name = {constant.replace("_", ""): constant for constant in OPERATIONS}
    found = by_name.get(name.upper())
    if found is None:
        fail(f"Invalid operation {name}")
    return str(found)


def properties(path: str) -> dict[str, str]:
    """A properties file as java.util.Properties reads the lines the Job writes (key=value, backslash escapes)."""
    values = {}
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = re.sub(r"\\(.)", r"\1", value.lstrip())
    return values


def user_configs(state: dict[str, Any], given: dict[str, list[str]]) -> None:
    """kafka-configs.sh --entity-type users: describe or alter SCRAM credentials."""
    if "--describe" in given:
        for user in sorted(state["scram"]):
            mechanisms = ", ".join(f"{m}=iterations={c['iterations']}" for m, c in sorted(state["scram"][user].items()))
            print(f"SCRAM credential configs for user-principal '{user}' are {mechanisms}")
        return
    name = given["--entity-name"][0]
    for entry in given.get("--add-config", []):
        match = re.fullmatch(r"(SCRAM-SHA-(?:256|512))=\[iterations=(\d+),password=(.+)\]", entry)
        if match is None:
            fail(f"not a SCRAM credential config: {entry}")
        state["scram"].setdefault(name, {})[match[1]] = {"iterations": int(match[2]), "password": match[3]}
    for mechanism in given.get("--delete-config", []):
        if mechanism not in state["scram"].get(name, {}):
            fail(f"Attempt to delete a user credential that does not exist: {name} {mechanism}")
        del state["scram"][name][mechanism]
        if not state["scram"][name]:
            del state["scram"][name]
    print(f"Completed updating config for user {name}.")


def topic_configs(state: dict[str, Any], given: dict[str, list[str]]) -> None:
    """kafka-configs.sh --entity-type topics: describe or alter dynamic topic configs."""
    if "--describe" in given:
        for topic in sorted(state["topics"]):
            print(f"Dynamic configs for topic {topic} are:")
            for key, value in sorted(state["topics"][topic]["configs"].items()):
                print(f"  {key}={value} sensitive=false synonyms={{DYNAMIC_TOPIC_CONFIG:{key}={value}}}")
        return
    name = given["--entity-name"][0]
    if name not in state["topics"]:
        fail(f"Topic {name} does not exist")
    configs = state["topics"][name]["configs"]
    for path in given.get("--add-config-file", []):
        configs.update(properties(path))
    for keys in given.get("--delete-config", []):
        for key in keys.split(","):
            if key not in configs:
                fail(f"Invalid config(s): {key}")
            del configs[key]
    print(f"Completed updating config for topic {name}.")


def configs(state: dict[str, Any], given: dict[str, list[str]]) -> None:
    {"users": user_configs, "topics": topic_configs}[given["--entity-type"][0]](state, given)


def acl_entries(given: dict[str, list[str]]) -> list[list[str]]:
    """The ACL entries a kafka-acls.sh --add or --remove command line names."""
    resources = [
        [RESOURCE_FLAGS[flag], name] for flag, names in given.items() if flag in RESOURCE_FLAGS for name in names
    ]
    resources += [["CLUSTER", "kafka-cluster"]] if "--cluster" in given else []
    pattern = given.get("--resource-pattern-type", ["literal"])[0].upper()
    entries = []
    for permission in ("allow", "deny"):
        for principal in given.get(f"--{permission}-principal", []):
            for host in given.get(f"--{permission}-host", ["*"]):
                for name in given.get("--operation", ["All"]):
                    for resource_type, resource in resources:
                        entries.append(
                            [resource_type, resource, pattern, principal, host, operation(name), permission.upper()]
                        )
    return entries


def acls(state: dict[str, Any], given: dict[str, list[str]]) -> None:
    if "--list" in given:
        for principal in given.get("--principal", []):
            print(f"ACLs for principal `{principal}`")
            resources: dict[tuple[str, str, str], list[list[str]]] = {}
            for entry in state["acls"]:
                if entry[3] == principal:
                    resources.setdefault((entry[0], entry[1], entry[2]), []).append(entry)
            for (kind, name, pattern), entries in resources.items():
                print(
                    f"Current ACLs for resource `ResourcePattern(resourceType={kind}, name={name}, patternType={pattern})`:"
                )
                for entry in entries:
                    print(f"\t(principal={entry[3]}, host={entry[4]}, operation={entry[5]}, permissionType={entry[6]})")
                print()
    elif "--add" in given:
        state["acls"] += [entry for entry in acl_entries(given) if entry not in state["acls"]]
    elif "--remove" in given:
        removed = acl_entries(given)
        state["acls"] = [entry for entry in state["acls"] if entry not in removed]
    else:
        fail(f"the stand-in has no kafka-acls.sh {' '.join(sys.argv[1:])}")


def matching(state: dict[str, Any], pattern: str) -> list[str]:
    """The topics a --topic argument names: it is a regular expression (but for --create)."""
    found = [topic for topic in state["topics"] if re.fullmatch(pattern, topic)]
    if not found:
        fail(f"Topic '{pattern}' does not exist as expected")
    return found


def describe_topics(state: dict[str, Any], _given: dict[str, list[str]]) -> None:
    for name, topic in sorted(state["topics"].items()):
        listed = ",".join(f"{key}={value}" for key, value in sorted(topic["configs"].items()))
        print(f"Topic: {name}\tTopicId: AAAAAAAAAAAAAAAAAAAAAA\tPartitionCount: {topic['partitions']}\t"
              f"ReplicationFactor: {topic['replicationFactor']}\tConfigs: {listed}")  # fmt: skip
        for partition in range(topic["partitions"]):
            print(f"\tTopic: {name}\tPartition: {partition}\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: ")


def create_topic(state: dict[str, Any], given: dict[str, list[str]]) -> None:
    name = given["--topic"][0]
    if name in state["topics"]:
        if "--if-not-exists" not in given:
            fail(f"Topic '{name}' already exists.")
        return
    pairs = [re.split(r"\s*=\s*", config) for config in given.get("--config", [])]
    if any(len(pair) != 2 for pair in pairs):
        fail('Invalid topic config: all configs to be added must be in the format "key=val".')
    state["topics"][name] = {
        "partitions": int(given["--partitions"][0]),
        "replicationFactor": int(given["--replication-factor"][0]),
        "configs": {key.strip(): value.strip() for key, value in pairs},
    }
    print(f"Created topic {name}.")


def alter_topics(state: dict[str, Any], given: dict[str, list[str]]) -> None:
    wanted = int(given["--partitions"][0])
    for name in matching(state, given["--topic"][0]):
        if wanted <= state["topics"][name]["partitions"]:
            fail(f"Topic currently has {state['topics'][name]['partitions']} partitions, {wanted} is no increase.")
        state["topics"][name]["partitions"] = wanted


def delete_topics(state: dict[str, Any], given: dict[str, list[str]]) -> None:
    for name in matching(state, given["--topic"][0]):
        del state["topics"][name]


def topics(state: dict[str, Any], given: dict[str, list[str]]) -> None:
    actions = {
        "--describe": describe_topics,
        "--create": create_topic,
        "--alter": alter_topics,
        "--delete": delete_topics,
    }
    (action,) = [action for flag, action in actions.items() if flag in given]
    action(state, given)


def main() -> None:
    tool, arguments = Path(sys.argv[0]).name, sys.argv[1:]
    with (HOME / "record").open("a") as record:
        record.write("\t".join([tool, *arguments]) + "\n")
    given = options(arguments)
    for path in given.get("--command-config", []):
        (HOME / "client.properties").write_text(Path(path).read_text())
    state = json.loads(STATE.read_text()) if STATE.exists() else {"scram": {}, "acls": [], "topics": {}}
    {"kafka-configs.sh": configs, "kafka-acls.sh": acls, "kafka-topics.sh": topics}[tool](state, given)
    STATE.write_text(json.dumps(state, indent=1))


if __name__ == "__main__":
    main()
