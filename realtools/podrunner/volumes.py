"""A pod's volumes on this machine's disk, laid out and owned as the kubelet lays them out.

ConfigMap, Secret and projected volumes are written like the kubelet's atomic writer: the files in a
timestamped folder, a `..data` link to it and one link per top-level entry, with the items' modes. Then, as
the kubelet does for a pod with `fsGroup`, every volume is given to that group (setgid folders, group read
for read-only volumes, read-write for the others); a claim with `fsGroupChangePolicy: OnRootMismatch` only
when its root does not already match.
"""

import base64
import os
import stat
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .objects import Manifest, PodRunnerError, Unsupported

DEFAULT_MODE = 0o644
READ_WRITE, READ_ONLY, EXECUTE = 0o660, 0o440, 0o110
EMPTY_DIR_MODE = 0o777
CLAIM_ROOT_MODE = 0o755  # a freshly formatted filesystem's root, as most provisioners hand it out
REDACTED = "<redacted secret>"


def decoded_secret(manifest: Manifest) -> dict[str, bytes]:
    """A Secret's data: base64 `data`, overridden by `stringData` as the API server merges them."""
    values = {key: base64.b64decode(value) for key, value in (manifest.get("data") or {}).items()}
    values |= {key: str(value).encode() for key, value in (manifest.get("stringData") or {}).items()}
    if REDACTED.encode() in values.values():
        raise PodRunnerError(
            f"Secret {manifest['metadata']['name']} was rendered with redacted values; render with show_secrets=True"
        )
    return values


def config_map_data(manifest: Manifest) -> dict[str, bytes]:
    """A ConfigMap's data and binaryData."""
    values = {key: str(value).encode() for key, value in (manifest.get("data") or {}).items()}
    values |= {key: base64.b64decode(value) for key, value in (manifest.get("binaryData") or {}).items()}
    return values


Files = dict[str, tuple[bytes, int]]
"""Relative path -> (content, mode)."""


def projected_files(source: Mapping[str, Any], data: Mapping[str, bytes] | None, default_mode: int, what: str) -> Files:
    """The files one ConfigMap or Secret source contributes: every key, or only its `items`."""
    if data is None:
        if source.get("optional"):
            return {}
        raise PodRunnerError(f"{what} does not exist")
    items = source.get("items")
    if items is None:
        return {key: (value, default_mode) for key, value in data.items()}
    files: Files = {}
    for item in items:
        if item["key"] not in data:
            if source.get("optional"):
                continue
            raise PodRunnerError(f"{what} has no key {item['key']!r}")
        files[item["path"]] = (data[item["key"]], int(item.get("mode", default_mode)))
    return files


def volume_files(
    volume: Manifest, secrets: Mapping[str, Mapping[str, bytes]], config_maps: Mapping[str, Mapping[str, bytes]]
) -> Files:
    """The files of a configMap, secret or projected volume."""
    if "configMap" in volume:
        source = volume["configMap"]
        name = source["name"]
        return projected_files(
            source, config_maps.get(name), int(source.get("defaultMode", DEFAULT_MODE)), f"ConfigMap {name}"
        )
    if "secret" in volume:
        source = volume["secret"]
        name = source["secretName"]
        return projected_files(
            source, secrets.get(name), int(source.get("defaultMode", DEFAULT_MODE)), f"Secret {name}"
        )
    projected = volume["projected"]
    default_mode = int(projected.get("defaultMode", DEFAULT_MODE))
    files: Files = {}
    for source in projected["sources"]:
        if "secret" in source:
            name = source["secret"]["name"]
            files |= projected_files(source["secret"], secrets.get(name), default_mode, f"Secret {name}")
        elif "configMap" in source:
            name = source["configMap"]["name"]
            files |= projected_files(source["configMap"], config_maps.get(name), default_mode, f"ConfigMap {name}")
        else:
            raise Unsupported(f"volume {volume['name']}: projected source {sorted(source)} not emulated")
    return files


def write_atomic(directory: Path, files: Files) -> None:
    """The kubelet's atomic-writer layout: `..<timestamp>/<files>`, `..data` -> it, `<entry>` -> `..data/<entry>`."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("..%Y_%m_%d_%H_%M_%S.") + f"{time.time_ns() % 10**9:09d}"
    payload = directory / stamp
    payload.mkdir(mode=0o755)
    for relative, (content, mode) in files.items():
        if relative.startswith("/") or ".." in Path(relative).parts:
            raise PodRunnerError(f"volume item path {relative!r} must be relative, without '..'")
        path = payload / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        path.chmod(mode)
    (directory / "..data").symlink_to(stamp)
    for entry in sorted({Path(relative).parts[0] for relative in files}):
        (directory / entry).symlink_to(f"..data/{entry}")


def _tree(root: Path) -> Iterator[Path]:
    yield root
    for folder, folders, names in os.walk(root):
        for name in (*folders, *names):
            yield Path(folder) / name


def give_to_group(root: Path, gid: int, read_only: bool) -> None:
    """What the kubelet does for fsGroup: every entry to the group, folders setgid, group access added."""
    mask = READ_ONLY if read_only else READ_WRITE
    for path in _tree(root):
        os.lchown(path, -1, gid)
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            continue
        extra = mask | (stat.S_ISGID | EXECUTE if stat.S_ISDIR(info.st_mode) else 0)
        path.chmod(stat.S_IMODE(info.st_mode) | extra)


def root_matches(root: Path, gid: int) -> bool:
    """OnRootMismatch: the root already belongs to the group, setgid, group read-write-execute."""
    info = root.stat()
    wanted = stat.S_ISGID | READ_WRITE | EXECUTE
    return info.st_gid == gid and stat.S_IMODE(info.st_mode) & wanted == wanted


def claim_folder(path: Path) -> Path:
    """A claim's folder, created on first use like a freshly provisioned volume."""
    if not path.exists():
        path.mkdir(parents=True)
        path.chmod(CLAIM_ROOT_MODE)
    return path


def empty_dir(path: Path) -> Path:
    """An emptyDir's folder (the kubelet creates it world-writable)."""
    path.mkdir(parents=True)
    path.chmod(EMPTY_DIR_MODE)
    return path


def prepare(
    volume: Manifest, folder: Path, *, claim: Path | None, fs_group: int | None, fs_group_policy: str,
    secrets: Mapping[str, Mapping[str, bytes]], config_maps: Mapping[str, Mapping[str, bytes]],
) -> Path:  # fmt: skip
    """Set up one volume of a pod in `folder` (or its claim's folder); return the folder to mount."""
    if "emptyDir" in volume:
        path = empty_dir(folder)
        read_only = False
    elif "persistentVolumeClaim" in volume:
        if claim is None:
            raise PodRunnerError(f"volume {volume['name']}: no claim")
        path = claim_folder(claim)
        read_only = False
        if fs_group is not None and fs_group_policy == "OnRootMismatch" and root_matches(path, fs_group):
            return path
    else:
        path = folder
        write_atomic(path, volume_files(volume, secrets, config_maps))
        read_only = True
    if fs_group is not None:
        give_to_group(path, fs_group, read_only)
    return path
