"""Directory IDs of a dynamic quorum: valid Kafka Uuids, fixed per node, kept only in the Secret."""

import base64
import hashlib

import pytest

from kraft_component.directory_ids import decode_seed, directory_id, encode, is_valid, secret_entries
from kraft_component.spec import parse_spec
from tests.standins import DIRECTORY_ID_SEED

SEED = decode_seed(DIRECTORY_ID_SEED)


@pytest.mark.parametrize(
    ("raw", "valid"),
    [
        (bytes(16), False),  # Uuid.ZERO_UUID, DirectoryId.MIGRATING
        (bytes(15) + b"\x01", False),  # Uuid.ONE_UUID, DirectoryId.UNASSIGNED
        (bytes(15) + b"\x63", False),  # 99: the last of DirectoryId's 100 reserved IDs
        (bytes(15) + b"\x64", True),  # 100
        (bytes(8) + b"\x80" + bytes(7), False),  # zero high bits and a negative low long: DirectoryId.reserved
        (b"\xf8" + bytes(15), False),  # base64url '-...': read as an option on a command line
        (b"\xfc" + bytes(15), True),  # '_...'
    ],
)
def test_only_ids_kafka_could_have_generated_are_valid(raw: bytes, valid: bool) -> None:
    assert is_valid(raw) is valid


def test_an_id_is_22_characters_of_base64url_that_decode_to_16_valid_bytes() -> None:
    for node_id in range(200):
        value = directory_id(SEED, node_id)
        raw = base64.urlsafe_b64decode(value + "==")
        assert len(value) == 22 and len(raw) == 16 and is_valid(raw) and encode(raw) == value


def test_ids_depend_on_the_seed_and_the_node_only() -> None:
    ids = [directory_id(SEED, node_id) for node_id in range(200)]
    assert len(set(ids)) == 200
    assert ids == [directory_id(SEED, node_id) for node_id in range(200)]
    assert directory_id(SEED[::-1], 0) != ids[0]


def test_a_first_attempt_with_a_leading_dash_is_skipped() -> None:
    # Node IDs whose first SHA-256 prefix encodes with a leading '-': one in 64, so some appear below 500.
    skipped = [node_id for node_id in range(500) if not is_valid(first_attempt(node_id))]
    assert skipped
    assert all(not directory_id(SEED, node_id).startswith("-") for node_id in skipped)


def first_attempt(node_id: int) -> bytes:
    return hashlib.sha256(SEED + f"\0{node_id}\0{0}".encode()).digest()[:16]


def test_the_secret_keeps_the_initial_controllers_of_a_shrunk_pool() -> None:
    spec = parse_spec(
        {
            "quorum": {"initialControllers": 3},
            "profile": "development",
            "pools": [{"name": "n", "roles": ["broker", "controller"], "replicas": 1}],
        }
    )
    assert sorted(secret_entries(spec, DIRECTORY_ID_SEED)) == ["directory-id-0", "directory-id-1", "directory-id-2"]


def test_a_static_quorum_has_no_directory_ids() -> None:
    assert secret_entries(parse_spec({"quorum": {"mode": "static"}}), DIRECTORY_ID_SEED) == {}
