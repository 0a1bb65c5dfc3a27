"""Metadata directory IDs of a dynamic quorum's initial controllers, derived from one random seed per cluster.

KIP-853 names a voter by (node ID, directory ID). Forming a quorum with `--initial-controllers` needs every
initial voter's directory ID before any of them is formatted, so each is derived from the seed and the node
ID alone, and the cluster keeps one Pulumi resource for all of them. They serve only to form the quorum:
once it has formed, a new metadata directory gets a random ID from Kafka (kraft_component.quorum_marker).
"""

import base64
import hashlib

from . import naming
from .spec import ClusterSpec

SEED_BYTES = 32
_RESERVED_BELOW = 100  # DirectoryId.reserved: the 100 IDs with zero high bits (unassigned, lost, ...)


def encode(raw: bytes) -> str:
    """A Kafka Uuid's string form: base64url without padding (22 characters for 16 bytes)."""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def is_valid(raw: bytes) -> bool:
    """Whether Kafka's `DirectoryId.random()` could have made these 16 bytes: not a reserved ID (most
    significant long 0 and least significant long, signed, below 100) and no string form starting with
    '-' (a command line would read it as an option)."""
    most, least = int.from_bytes(raw[:8], "big"), int.from_bytes(raw[8:], "big", signed=True)
    return not (most == 0 and least < _RESERVED_BELOW) and not encode(raw).startswith("-")


def directory_id(seed: bytes, node_id: int) -> str:
    """The directory ID of node `node_id`: SHA-256 of seed, node ID and an attempt counter, the first
    valid 16-byte prefix (one attempt in 64 is skipped for a leading '-')."""
    attempt = 0
    while True:
        raw = hashlib.sha256(seed + f"\0{node_id}\0{attempt}".encode()).digest()[:16]
        if is_valid(raw):
            return encode(raw)
        attempt += 1


def decode_seed(seed_b64url: str) -> bytes:
    """The seed bytes from a `RandomId.b64_url` value."""
    return base64.urlsafe_b64decode(seed_b64url + "=" * (-len(seed_b64url) % 4))


def initial_controller_node_ids(spec: ClusterSpec) -> list[int]:
    """The node IDs `--initial-controllers` lists, even those a shrunk pool no longer runs (the list must be
    the same on every node that forms the quorum)."""
    if not spec.is_dynamic_quorum:
        return []
    (pool,) = spec.controller_pools
    return [pool.first_node_id + ordinal for ordinal in range(spec.initial_controller_count)]


def secret_entries(spec: ClusterSpec, seed_b64url: str) -> dict[str, str]:
    """`directory-id-<node id>` -> directory ID of each initial controller, for the cluster-ID Secret."""
    seed = decode_seed(seed_b64url)
    return {
        naming.directory_id_key(node_id): directory_id(seed, node_id) for node_id in initial_controller_node_ids(spec)
    }
