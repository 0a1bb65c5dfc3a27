"""Pure checks of what the end-to-end flow observes: kubectl JSON, pod roll order, Pulumi change summaries.

Nothing here runs a tool, so every check is proven offline (tests/test_e2e_support.py).
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi.automation import OpType

TOOLS = ("docker", "kind", "kubectl", "pulumi")


def skip_reason(absent: Sequence[str]) -> str | None:
    """Why the end-to-end tests cannot run here (naming every missing tool), or None when they can."""
    if not absent:
        return None
    named = sorted(absent, key=lambda tool: TOOLS.index(tool) if tool in TOOLS else len(TOOLS))
    return f"end-to-end tests need {', '.join(TOOLS)}; missing or not running here: {', '.join(named)}"


@dataclass(frozen=True)
class Pod:
    """What the flow needs to know about one pod, from `kubectl get pods -o json`."""

    name: str
    uid: str
    image: str
    ready: bool
    deleting: bool
    node: str | None


def _pod(item: Mapping[str, Any]) -> Pod:
    status = item.get("status", {})
    ready = any(c["type"] == "Ready" and c["status"] == "True" for c in status.get("conditions", []))
    return Pod(
        name=item["metadata"]["name"],
        uid=item["metadata"]["uid"],
        image=item["spec"]["containers"][0]["image"],
        ready=ready,
        deleting="deletionTimestamp" in item["metadata"],
        node=item["spec"].get("nodeName"),
    )


def pods(listing: Mapping[str, Any]) -> dict[str, Pod]:
    """The pods of a `kubectl get pods -o json` list, by name."""
    return {pod.name: pod for pod in map(_pod, listing["items"])}


def names(listing: Mapping[str, Any]) -> list[str]:
    """The object names of any `kubectl get ... -o json` list."""
    return sorted(item["metadata"]["name"] for item in listing["items"])


def node_zones(listing: Mapping[str, Any], zone_label: str) -> dict[str, str]:
    """Node name -> its zone label, from `kubectl get nodes -o json` (nodes without the label left out)."""
    return {
        item["metadata"]["name"]: item["metadata"]["labels"][zone_label]
        for item in listing["items"]
        if zone_label in item["metadata"].get("labels", {})
    }


def placement(observed: Mapping[str, Pod], zones: Mapping[str, str], names: Iterable[str]) -> list[str]:
    """The zones the named pods run in, sorted; '?' for a pod that is missing, unscheduled or on a node
    without a zone."""
    return sorted(zones.get(observed[name].node or "", "?") if name in observed else "?" for name in names)


def unavailable(observed: Mapping[str, Pod], expected: Iterable[str]) -> list[str]:
    """The expected pods that are missing, not Ready, or being deleted."""
    return [name for name in expected if name not in observed or not observed[name].ready or observed[name].deleting]


def replaced(before: Mapping[str, Pod], after: Mapping[str, Pod]) -> list[str]:
    """Pods present before and after that are new objects (another uid): they were deleted and recreated."""
    return sorted(name for name in before.keys() & after.keys() if before[name].uid != after[name].uid)


def roll_problems(snapshots: Sequence[Mapping[str, Pod]], order: Sequence[str], image: str) -> list[str]:
    """What contradicts an ordered roll to `image` in a series of observations: every pod of `order` must
    first appear running `image` in exactly that order, each in an observation of its own (one pod at a
    time), and no observation may show more than one of them unavailable."""
    first_seen: dict[str, int] = {}
    for index, snapshot in enumerate(snapshots):
        for name in order:
            if name in snapshot and snapshot[name].image == image:
                first_seen.setdefault(name, index)
    problems = []
    never = [name for name in order if name not in first_seen]
    if never:
        problems.append(f"never seen running {image}: {', '.join(never)}")
    rolled = sorted(first_seen, key=first_seen.__getitem__)
    if rolled != [name for name in order if name in first_seen]:
        problems.append(f"rolled in the order {', '.join(rolled)}; expected {', '.join(order)}")
    per_observation = Counter(first_seen.values())
    problems += [
        f"rolled together: {', '.join(name for name in rolled if first_seen[name] == index)}"
        for index, count in sorted(per_observation.items())
        if count > 1
    ]
    problems += [
        f"observation {index}: {', '.join(down)} unavailable at once"
        for index, snapshot in enumerate(snapshots)
        if len(down := unavailable(snapshot, order)) > 1
    ]
    return problems


def changes(summary: Mapping[OpType, int]) -> dict[str, int]:
    """The operations of a Pulumi change summary other than 'same' (empty: nothing would change).
    The keys arrive as plain strings from the CLI's JSON, or as OpType."""
    counts = {OpType(operation).value: count for operation, count in summary.items()}
    return {operation: count for operation, count in counts.items() if operation != OpType.SAME.value and count}
