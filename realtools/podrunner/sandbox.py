"""How a container runs as local processes: its own mount, UTS, IPC and PID namespaces inside its pod's
network namespace, a root of its own, and the user the security context asks for.

The root is a fresh tmpfs per container start (the image's writable layer) holding this machine's /usr
read-only, the pod's /etc (a copy of this machine's, with the image's users, awk and the pod's hosts file),
the image's own folders (e.g. a Kafka install at /opt/kafka, read-only), /dev, /proc of the container's
PID namespace, and the volumes at their mount paths. Then the root is made read-only if asked, and the
command runs under `chroot` as the container's user, with only the container's environment.
"""

import posixpath
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
MERGED_USR = {"bin": "usr/bin", "sbin": "usr/sbin", "lib": "usr/lib", "lib64": "usr/lib64"}
SKELETON = ("usr", "etc", "opt", "proc", "dev", "tmp", "var", "run", "home", "root", "mnt", "srv")
ROOT_SIZE = "64m"
SHM_SIZE = "64m"  # the container runtime's default /dev/shm


@dataclass(frozen=True)
class Bind:
    """A folder or file of this machine mounted at a path inside the container."""

    source: Path
    target: str
    read_only: bool


@dataclass(frozen=True)
class User:
    """The process's user, groups and privileges."""

    uid: int
    gid: int
    groups: tuple[int, ...]
    no_new_privileges: bool
    drop_all_capabilities: bool


def privileges(user: User) -> list[str]:
    """`setpriv` arguments that become `user`."""
    # a changed user loses the parent-death signal --kill-child gave it: set it again, so the container dies
    # with its launcher
    arguments = ["/usr/bin/setpriv", f"--reuid={user.uid}", f"--regid={user.gid}", "--pdeathsig=KILL"]
    if user.groups:
        arguments.append(f"--groups={','.join(map(str, user.groups))}")
    else:
        arguments.append("--clear-groups")
    if user.no_new_privileges:
        arguments.append("--no-new-privs")
    if user.drop_all_capabilities:
        arguments += ["--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all"]
    return arguments


def run_as(user: User, env: Mapping[str, str], argv: Sequence[str], workdir: str | None = None) -> list[str]:
    """The command line that runs `argv` as `user` with exactly `env` (inside the container's root)."""
    for name in env:
        if not name or "=" in name:
            raise ValueError(f"environment variable name {name!r} cannot be passed")
    if argv and "=" in argv[0]:
        raise ValueError(f"command {argv[0]!r} contains '=', which env would read as a variable")
    chdir = ["-C", workdir] if workdir else []
    return [*privileges(user), "--", "/usr/bin/env", "-i", *chdir, *(f"{k}={v}" for k, v in env.items()), *argv]


@dataclass(frozen=True)
class Launch:
    """Everything a container start needs."""

    root: Path
    """An empty folder of this machine; the container's root is mounted there, in its own namespace only."""
    etc: Path
    binds: tuple[Bind, ...]
    """The image's folders and the volumes, in mount order."""
    hostname: str
    read_only_root: bool
    user: User
    env: dict[str, str]
    argv: tuple[str, ...]
    workdir: str
    started: Path
    """A file created just before the command starts: from then on the container's root is in place."""
    cgroup: Path | None
    """A memory cgroup the container's processes join, or None."""


def _q(value: object) -> str:
    return shlex.quote(str(value))


def setup_script(launch: Launch) -> str:
    """The bash script that builds the container's root as PID 1 of its namespaces, then execs the command."""
    root = _q(launch.root)
    lines = [
        "set -euo pipefail",
        f"mount -t tmpfs -o mode=0755,size={ROOT_SIZE} kraft-root {root}",
        f"cd {root}",
        f"mkdir -p {' '.join(SKELETON)} && chmod 1777 tmp",
        *(f"ln -s {target} {link}" for link, target in MERGED_USR.items()),
        "mount --bind /usr usr && mount -o remount,bind,ro usr",
        f"mount --bind {_q(launch.etc)} etc",
        "mount -t tmpfs -o mode=0755,size=64k,nosuid kraft-dev dev",
        *(f"touch dev/{name} && mount --bind /dev/{name} dev/{name}" for name in DEVICES),
        "ln -s /proc/self/fd dev/fd && ln -s /proc/self/fd/0 dev/stdin",
        "ln -s /proc/self/fd/1 dev/stdout && ln -s /proc/self/fd/2 dev/stderr",
        f"mkdir dev/shm && mount -t tmpfs -o mode=1777,size={SHM_SIZE},nosuid,nodev shm dev/shm",
        "mount -t proc proc proc",
    ]
    for bind in launch.binds:
        target = _q("." + bind.target)
        if bind.source.is_file():  # a file of the image, such as an agent jar
            parent = _q("." + posixpath.dirname(bind.target))
            lines.append(f"mkdir -p {parent} && touch {target} && mount --bind {_q(bind.source)} {target}")
        else:
            lines.append(f"mkdir -p {target} && mount --bind {_q(bind.source)} {target}")
        if bind.read_only:
            lines.append(f"mount -o remount,bind,ro {target}")
    lines += [
        f"hostname {_q(launch.hostname)}",
        "mount -o remount,bind,ro etc",
    ]
    if launch.read_only_root:
        lines.append(f"mount -o remount,ro {root}")
    if launch.cgroup is not None:
        lines.append(f"echo $$ > {_q(launch.cgroup / 'cgroup.procs')}")
    lines.append(f": > {_q(launch.started)}")
    command = run_as(launch.user, launch.env, launch.argv, launch.workdir)
    lines.append(f"exec /usr/sbin/chroot {root} {shlex.join(command)}")
    return "\n".join(lines) + "\n"


def launch_command(netns: str, script: Path) -> list[str]:
    """The command that starts a container: its own namespaces inside the pod's network namespace. The
    runner's death kills it (`--pdeathsig`), and its death kills every process of its PID namespace."""
    return [
        "setpriv", "--pdeathsig", "KILL", "--",
        "nsenter", f"--net=/run/netns/{netns}", "--",
        "unshare", "--mount", "--uts", "--ipc", "--pid", "--fork", "--kill-child", "--propagation", "private", "--",
        "/bin/bash", str(script),
    ]  # fmt: skip


def exec_command(pid: int, user: User, env: Mapping[str, str], argv: Sequence[str]) -> list[str]:
    """A command run inside a running container (its namespaces, root and working folder), as `user`: how
    exec probes and `kubectl exec` run."""
    return [
        "nsenter", f"--target={pid}", "--mount", "--uts", "--ipc", "--net", "--pid", "--root", "--wd", "--",
        *run_as(user, env, argv),
    ]  # fmt: skip


def client_command(netns: str, etc: Path, argv: Sequence[str]) -> list[str]:
    """A process of this machine (e.g. a Python client) in a pod-like sandbox: its own network namespace on
    the pod network and `etc` (a copy of this machine's, with the pods' names in its hosts file) as /etc. The
    folder is bound, not the hosts file: the runner replaces the file by rename, which a file binding would
    never show (a client would keep a pod's old address after the pod is created again)."""
    script = f'mount --bind {_q(etc)} /etc && exec "$@"'
    return [
        "setpriv", "--pdeathsig", "KILL", "--",
        "nsenter", f"--net=/run/netns/{netns}", "--",
        "unshare", "--mount", "--propagation", "private", "--", "/bin/bash", "-c", script, "client", *argv,
    ]  # fmt: skip
