"""Run a node's real entrypoint under real bash, as the pod built by the real manifests would run it.

A `Pod` takes its command, environment and volumes from the StatefulSet manifest, its files from the
ConfigMap and cluster-ID Secret manifests, and maps every volume to a folder under a temporary root.
Kafka itself is replaced by the stand-in tools next to this file (bin/kafka-storage.sh,
bin/kafka-server-start.sh, ...), which record each call and behave like the real ones where it matters; the admin
tools keep a cluster's users, ACLs and topics in $KAFKA_HOME/cluster.json (`Pod.cluster`).
"""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kraft_component import manifests, naming, quorum_marker
from kraft_component.spec import ClusterSpec, PoolSpec
from kraft_component.statefulset import statefulset

STANDINS = Path(__file__).resolve().parent
TOOLS = {
    tool: tool
    for tool in ("kafka-storage.sh", "kafka-server-start.sh", "kafka-metadata-quorum.sh", "kafka-features.sh")
} | {
    tool: "kafka_admin.py" for tool in ("kafka-configs.sh", "kafka-acls.sh", "kafka-topics.sh")
}  # the file each stand-in tool is a copy of
TOOL_LIBRARY = "standin.sh"  # sourced by the tools
CLUSTER_ID = "MkU3OEVBNTcwNTJENDM2Qg"  # the example ID of Kafka's quickstart: 22 characters of base64url
OTHER_CLUSTER_ID = "Zm9yZWlnbi1jbHVzdGVyLQ"
DASH_CLUSTER_ID = "-ZGFzaC1maXJzdC1jbHVzd"  # base64url may start with '-' (1 ID in 64)
DIRECTORY_ID_SEED = "c3RhbmQtaW4gZGlyZWN0b3J5LWlkIHNlZWQgb2YgMzI"  # 32 bytes, as RandomId gives
OTHER_DIRECTORY_ID_SEED = "YW5vdGhlciBkaXJlY3RvcnktaWQgc2VlZCwgMzIgYnk"
SCRAM_PASSWORDS = {
    naming.ADMIN_USER: "AdminPassw0rdOfThirtyTwoLetters1",
    naming.INTERNAL_USER: "InternalPassw0rdOfThirtyTwoChars",
}
USER_PASSWORDS = {"orders": "orders-Passw0rd.with~marks"}  # an application user's password with marks


def user_password(user: str) -> str:
    """The password an application user's Secret holds here."""
    return USER_PASSWORDS.get(user, f"{user}-Passw0rd-of-a-user")


# Stand-ins for the TLS Secret's PEM files: what matters here is that each reaches the right property intact.
TLS_FILES = {
    naming.TLS_KEY: "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n",
    naming.TLS_CERTIFICATE: "-----BEGIN CERTIFICATE-----\nMIIBnode\n-----END CERTIFICATE-----\n",
    naming.TLS_CA: "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n",
}


def parse_properties(text: str) -> dict[str, str]:
    """`key=value` lines of a properties file (comments and blank lines skipped); a repeated key fails."""
    properties: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith(("#", "!")):
            continue
        key, separator, value = line.partition("=")
        assert separator, f"not a key=value line: {line!r}"
        assert key not in properties, f"{key} is set twice"
        properties[key] = value
    return properties


@dataclass(frozen=True)
class Call:
    """One run of a stand-in tool."""

    tool: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class Start:
    """What one start of the container did."""

    returncode: int
    stdout: str
    stderr: str
    calls: tuple[Call, ...]
    started: dict[str, str] | None  # the properties kafka-server-start.sh was given; None if it never ran

    def tool_calls(self, tool: str) -> list[Call]:
        """The calls of one stand-in tool, in order."""
        return [call for call in self.calls if call.tool == tool]

    @property
    def formats(self) -> list[Call]:
        """The runs of kafka-storage.sh."""
        return self.tool_calls("kafka-storage.sh")

    @property
    def server_starts(self) -> list[Call]:
        """The runs of kafka-server-start.sh."""
        return self.tool_calls("kafka-server-start.sh")


def _is_under(path: str, mount: str) -> bool:
    """Whether a container path is the mount path or inside it."""
    return path == mount or path.startswith(mount.rstrip("/") + "/")


def _pool_index(spec: ClusterSpec, pool: str) -> int:
    return next(index for index, candidate in enumerate(spec.pools) if candidate.name == pool)


class Pod:
    """One pod of a pool (or of a Job given as `workload`) with its volumes under `root`; `start()` runs its
    container once more.

    The data volume survives every start (it is a PersistentVolumeClaim); emptyDirs are new each time,
    as for a pod that was deleted and recreated.
    """

    def __init__(
        self,
        root: Path,
        spec: ClusterSpec,
        pool: str,
        ordinal: int,
        *,
        namespace: str | None = None,
        cluster_id: str = CLUSTER_ID,
        directory_id_seed: str = DIRECTORY_ID_SEED,
        pod_name: str | None = None,
        log_dirs: list[Path] | None = None,
        extra_properties: dict[str, str] | None = None,
        workload: dict[str, Any] | None = None,
    ) -> None:
        self.root = root
        self.spec = spec
        self.pool_index = _pool_index(spec, pool)
        self.ordinal = ordinal
        self.namespace = namespace or spec.namespace
        self.statefulset: dict[str, Any] = workload or statefulset(spec, self.pool, self.pool_index, self.namespace)
        """The workload whose pod this is: the pool's StatefulSet unless another (a Job) is given."""
        self.pod_name = pod_name or f"{self.statefulset['metadata']['name']}-{ordinal}"
        self.kafka_home = root / "kafka"
        self._mounts = {mount["mountPath"]: mount["name"] for mount in self.container["volumeMounts"]}
        self._override_log_dirs = log_dirs
        self._extra_properties = extra_properties or {}
        self._write_kafka_home()
        self.write_volume_files(cluster_id, directory_id_seed)

    @property
    def pool(self) -> PoolSpec:
        """The pool this pod belongs to."""
        return self.spec.pools[self.pool_index]

    @property
    def container(self) -> dict[str, Any]:
        """The pod template's only container."""
        (container,) = self.statefulset["spec"]["template"]["spec"]["containers"]
        result: dict[str, Any] = container
        return result

    def volume_dir(self, name: str) -> Path:
        """The folder that stands for volume `name`."""
        return self.root / "volumes" / name

    def path(self, container_path: str) -> Path:
        """Where a path inside the container lives here, through the volume mounted over it."""
        mount = max((m for m in self._mounts if _is_under(container_path, m)), key=len, default=None)
        assert mount is not None, f"{container_path} is on no volume of the container (the root fs is read-only)"
        return self.volume_dir(self._mounts[mount]) / container_path.removeprefix(mount).lstrip("/")

    @property
    def environment(self) -> dict[str, str]:
        """The container's env as the kubelet resolves it, with paths moved onto the volume folders."""
        env: dict[str, str] = {}
        for variable in self.container["env"]:
            if "value" in variable:
                value = variable["value"]
                assert isinstance(value, str), f"{variable['name']} is not a string"
                on_volume = any(_is_under(value, mount) for mount in self._mounts)
                env[variable["name"]] = str(self.path(value)) if on_volume else value
            else:
                field = variable["valueFrom"]["fieldRef"]["fieldPath"]
                assert field == "metadata.name", f"{variable['name']}: no stand-in for {field}"
                env[variable["name"]] = self.pod_name
        return env

    @property
    def template_key(self) -> str:
        """The ConfigMap key of this pool's server.properties template."""
        return naming.pool_template_key(self.pool.name)

    @property
    def log_dirs(self) -> list[Path]:
        """The log directories of this node, here."""
        if self._override_log_dirs is not None:
            return self._override_log_dirs
        template = parse_properties(manifests.config_data(self.spec, self.namespace)[self.template_key])
        return [self.path(directory) for directory in template["log.dirs"].split(",")]

    @property
    def cluster(self) -> Path:
        """The stand-in admin tools' cluster: SCRAM users, ACL entries and topics (tests/standins/kafka_admin.py)."""
        return self.kafka_home / "cluster.json"

    @property
    def record(self) -> Path:
        """The stand-in tools' record of calls."""
        return self.kafka_home / "record"

    def _write_kafka_home(self) -> None:
        bin_dir = self.kafka_home / "bin"
        bin_dir.mkdir(parents=True, exist_ok=True)
        for tool, source in TOOLS.items():
            text = (STANDINS / source).read_text()
            if source.endswith(".py"):  # run by this interpreter: a shim on PATH costs half a second a call
                text = f"#!{sys.executable}\n{text.partition(chr(10))[2]}"
            (bin_dir / tool).write_text(text)
            (bin_dir / tool).chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        shutil.copyfile(STANDINS / TOOL_LIBRARY, bin_dir / TOOL_LIBRARY)
        self.record.touch()

    def write_volume_files(self, cluster_id: str, directory_id_seed: str = DIRECTORY_ID_SEED) -> None:
        """The ConfigMap and Secret volumes, from the real manifests (the pool's template with its
        log.dirs moved here); the Secret holds `cluster_id` and, in a dynamic quorum, the directory IDs
        derived from `directory_id_seed`."""
        volumes = {volume["name"]: volume for volume in self.statefulset["spec"]["template"]["spec"]["volumes"]}
        config_map = manifests.config_map(self.spec, self.namespace)
        seed = directory_id_seed if self.spec.is_dynamic_quorum else None
        secret = manifests.cluster_id_secret(
            self.spec, self.namespace, manifests.secret_data(self.spec, cluster_id, seed, SCRAM_PASSWORDS)
        )
        for name, volume in volumes.items():
            files: dict[str, str]
            if volume.get("configMap", {}).get("name") == naming.quorum_marker_name(self.spec.name):
                assert volume["configMap"]["optional"] is True
                files = {}  # the marker is created once the quorum has formed: form_quorum()
            elif "configMap" in volume:
                assert volume["configMap"]["name"] == config_map["metadata"]["name"]
                files = {
                    key: self._on_volumes(text) if key.endswith(".properties") else text
                    for key, text in config_map["data"].items()
                }
                files[self.template_key] = self._template(files[self.template_key])
            elif volume.get("secret", {}).get("secretName") == naming.tls_secret_name(self.spec.name):
                files = dict(TLS_FILES)
            elif "secret" in volume:
                assert volume["secret"]["secretName"] == secret["metadata"]["name"]
                files = dict(secret["stringData"])
            elif "projected" in volume:  # the users Job: each user's password, named after the user
                files = {user.name: user_password(user.name) for user in self.spec.users}
            else:
                continue
            folder = self.volume_dir(name)
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            for key, content in files.items():
                (folder / key).write_text(content, encoding="utf-8")

    def form_quorum(self) -> None:
        """Create the quorum marker, as the component does once the controllers are Ready: the kubelet fills
        the pod's optional volume with it."""
        volume = next(
            volume["name"]
            for volume in self.statefulset["spec"]["template"]["spec"]["volumes"]
            if volume.get("configMap", {}).get("name") == naming.quorum_marker_name(self.spec.name)
        )
        for key, content in quorum_marker.marker(self.spec, self.namespace)["data"].items():
            (self.volume_dir(volume) / key).write_text(content, encoding="utf-8")

    def directory_ids(self) -> dict[int, str]:
        """Node ID -> metadata directory ID, as the mounted cluster-ID Secret holds them (dynamic quorum)."""
        folder = Path(self.environment["KRAFT_DIRECTORY_ID_DIR"])
        prefix = self.environment["KRAFT_DIRECTORY_ID_KEY_PREFIX"]
        return {int(file.name.removeprefix(prefix)): file.read_text() for file in folder.glob(f"{prefix}*")}

    def write_cluster_id_file(self, content: str) -> None:
        """Replace what the mounted cluster-ID Secret key holds (any text, valid or not)."""
        Path(self.environment["KRAFT_CLUSTER_ID_FILE"]).write_text(content, encoding="utf-8")

    def _on_volumes(self, text: str) -> str:
        """A template whose paths into the read-only volumes point at their folders here."""
        mounts = sorted((mount for mount in self._mounts if mount != naming.DATA_MOUNT), key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(f"{mount}/") for mount in mounts))
        return pattern.sub(lambda match: f"{self.volume_dir(self._mounts[match[0][:-1]])}/", text)

    def _template(self, text: str) -> str:
        """The pool's template with its log directories (and the metadata log's, the first) moved here."""
        directories = [str(directory) for directory in self.log_dirs]  # none for a Job
        moved = {"log.dirs": ",".join(directories), "metadata.log.dir": next(iter(directories), "")}
        lines = [
            f"{key}={moved[key]}" if (key := line.partition("=")[0]) in moved else line for line in text.splitlines()
        ]
        lines += [f"{key}={value}" for key, value in self._extra_properties.items()]
        return "".join(f"{line}\n" for line in lines)

    def _fresh_empty_dirs(self) -> None:
        for volume in self.statefulset["spec"]["template"]["spec"]["volumes"]:
            if "emptyDir" in volume:
                shutil.rmtree(self.volume_dir(volume["name"]), ignore_errors=True)
                self.volume_dir(volume["name"]).mkdir(parents=True)
        for claim in self.statefulset["spec"].get("volumeClaimTemplates", []):
            self.volume_dir(claim["metadata"]["name"]).mkdir(parents=True, exist_ok=True)

    def _init_containers(self) -> None:
        """What the init containers leave behind: each `cp <file in its image> <path on a volume>` (the metrics
        agent's) leaves a stand-in of that file, since the image itself is not here."""
        for init in self.statefulset["spec"]["template"]["spec"].get("initContainers", []):
            command = init["command"]
            assert command[0] == "cp" and len(command) == 3, f"no stand-in for init container command {command}"
            mount = next(m for m in init["volumeMounts"] if _is_under(command[2], m["mountPath"]))
            target = self.volume_dir(mount["name"]) / command[2].removeprefix(mount["mountPath"]).lstrip("/")
            target.write_text(f"stand-in for {command[1]} of {init['image']}")

    def run(self, command: list[str], env: dict[str, str] | None = None) -> "subprocess.CompletedProcess[str]":
        """Run a command of the container (its paths moved onto the volume folders) with the container's env;
        `env` overrides variables of the manifest."""
        argv = [command[0]] + [str(self.path(arg)) if arg.startswith("/") else arg for arg in command[1:]]
        tools = {"KAFKA_HOME": str(self.kafka_home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        return subprocess.run(
            argv,
            env=self.environment | tools | (env or {}),
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def start(self, env: dict[str, str] | None = None) -> Start:
        """Run the container's command once, to the exec of the (stand-in) Kafka server."""
        self._fresh_empty_dirs()
        self._init_containers()
        (self.kafka_home / "started.properties").unlink(missing_ok=True)
        before = len(self.record.read_text().splitlines())
        done = self.run(self.container["command"], env)
        lines = self.record.read_text().splitlines()[before:]
        calls = tuple(Call(line.split("\t")[0], tuple(line.split("\t")[1:])) for line in lines)
        started_file = self.kafka_home / "started.properties"
        started = parse_properties(started_file.read_text()) if started_file.exists() else None
        return Start(done.returncode, done.stdout, done.stderr, calls, started)

    def probe(self, name: str, env: dict[str, str] | None = None) -> "subprocess.CompletedProcess[str]":
        """Run the exec probe `name` (`readinessProbe`, ...) of the container."""
        command: list[str] = self.container[name]["exec"]["command"]
        return self.run(command, env)

    def meta_properties(self, directory: Path | None = None) -> dict[str, str]:
        """meta.properties of a log directory (the first by default)."""
        return parse_properties(((directory or self.log_dirs[0]) / "meta.properties").read_text())


class AdminCluster:
    """The stand-in cluster of the admin tools, which admin Jobs run against one after another: its `state` holds
    the SCRAM users, ACL entries and topics (tests/standins/kafka_admin.py)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runs = 0
        self.state: dict[str, Any] = {"scram": {}, "acls": [], "topics": {}}
        self.client_config: dict[str, str] = {}

    def run(self, spec: ClusterSpec, job: dict[str, Any]) -> Start:
        """Run the pod of an admin Job once; it must succeed."""
        start = self.attempt(spec, job)
        assert start.returncode == 0, start.stdout + start.stderr
        return start

    def attempt(self, spec: ClusterSpec, job: dict[str, Any]) -> Start:
        """Run the pod of an admin Job once, whatever comes of it."""
        self.runs += 1
        pod = Pod(self.root / f"run-{self.runs}", spec, spec.pools[-1].name, 0, workload=job, log_dirs=[])
        pod.cluster.write_text(json.dumps(self.state))
        start = pod.start()
        self.state = json.loads(pod.cluster.read_text())
        client = pod.kafka_home / "client.properties"
        self.client_config = parse_properties(client.read_text()) if client.exists() else {}
        return start
