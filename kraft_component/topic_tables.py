"""Declared topics as the tables the topics Job reads, and what kraft declared before and no longer does."""

from collections.abc import Mapping, Sequence

from .spec import ClusterSpec, TopicsDeletePolicy


def topic_table(spec: ClusterSpec) -> str:
    """One line per declared topic: name, partitions, replication factor, index in kraft:cluster.topics."""
    return "".join(
        f"{topic.name}\t{spec.topic_partitions(topic)}\t{spec.topic_replication_factor(topic)}\t{index}\n"
        for index, topic in enumerate(spec.topics)
    )


def config_table(spec: ClusterSpec) -> str:
    """One line per declared topic config: topic, key, value."""
    return "".join(
        f"{topic.name}\t{key}\t{value}\n" for topic in spec.topics for key, value in sorted(topic.config.items())
    )


def retired_topics(spec: ClusterSpec, ever_declared: Mapping[str, Sequence[str]]) -> list[str]:
    """Topics kraft declared once and no longer does, which the Job deletes under topicsDeletePolicy: delete."""
    if spec.topics_delete_policy is not TopicsDeletePolicy.DELETE:
        return []
    return sorted(set(ever_declared) - {topic.name for topic in spec.topics})


def retired_configs(spec: ClusterSpec, ever_declared: Mapping[str, Sequence[str]]) -> str:
    """One line per config key kraft set on a declared topic and no longer declares: topic, key. The Job removes
    them; keys kraft never set stay as they are."""
    return "".join(
        f"{topic.name}\t{key}\n"
        for topic in spec.topics
        for key in sorted(set(ever_declared.get(topic.name, ())) - set(topic.config))
    )
