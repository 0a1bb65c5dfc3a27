"""Go tools built from the Go module proxy at pinned versions, cached by tool and version.

Each tool is built in a small wrapper module generated in its cache entry: it requires the upstream modules
at their pinned versions, restates the `replace` lines a dependency's go.mod carries (Go ignores replaces of
dependencies) and, where the upstream main embeds generated files that are not in the module zip, builds a
main of our own from realtools/gomain/. Nothing upstream is copied into the repository.
"""

import json
import os
import re
import resource
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import cache
from .prerequisites import MissingPrerequisite
from .processes import run_bounded

GOMAIN = Path(__file__).parent / "gomain"
BUILD_RECORD = "build.json"
BUILD_TIMEOUT = 5400  # one `go build` from cold on a busy machine (the whole CI run has 90 minutes)

# The pulumi CLI of the Python SDK's release is not served (pkg/v3 v3.272.0); v3.274.0 is the nearest newer.
PULUMI_CLI = "3.274.0"
PULUMI_YAML = "1.25.0"
KUBERNETES = "1.37.2"
ETCD = "3.6.16"
KWOK = "0.8.0"
# pulumi-kubernetes has no provider/v4 tags: the pseudo-version of each release commit the proxy serves.
KUBERNETES_PROVIDER_COMMITS = {"4.25.0": "v4.0.0-20260115033456-f47bc2d6f199"}


@dataclass(frozen=True)
class Upstream:
    """A required module, and the published version that stands in for each of its local `replace`
    targets (for example `../sdk` of the pulumi monorepo, `./staging/...` of Kubernetes)."""

    module: str
    version: str
    published: str = ""

    @property
    def pinned(self) -> str:
        return f"{self.module} {self.version}"


@dataclass(frozen=True)
class GoTool:
    """How to build one tool: its wrapper's requirements, the binaries and how they are versioned."""

    name: str
    version: str
    requires: tuple[Upstream, ...]
    binaries: dict[str, str]  # binary name -> package; "./<dir>" is a main of ours from realtools/gomain
    ldflags: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    prepare: Callable[["Wrapper"], None] | None = None  # writes generated files into the wrapper
    finish: Callable[["Wrapper", Path], None] | None = None  # adds files beside the binaries

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"

    def entry(self) -> Path:
        return cache.tools_dir() / self.key


@dataclass
class Wrapper:
    """The generated module a tool is built in."""

    tool: GoTool
    path: Path
    env: dict[str, str] = field(default_factory=dict)

    def go(self, *args: str) -> str:
        """Run `go` in the wrapper; its output."""
        return run_go(args, self.path, self.env, self.tool.key)

    def module_dir(self, module: str, version: str) -> Path:
        """The extracted module in GOMODCACHE (downloaded if needed)."""
        return module_dir(module, version, self.path)

    def module_go_mod(self, module: str, version: str) -> str:
        return Path(_download(module, version, self.path)["GoMod"]).read_text()


def run_go(args: Iterable[str], cwd: Path, env: dict[str, str], what: str) -> str:
    """Run `go` at low priority, bounded in time; its output, or MissingPrerequisite naming `what` with the error."""
    command = ["nice", "-n", "10", "go", *args]
    result = run_bounded(command, cwd=cwd, env=env, timeout=BUILD_TIMEOUT)
    if result.returncode != 0:
        raise MissingPrerequisite(f"{what}: {' '.join(command[3:])} failed:\n{result.stderr[-4000:]}")
    return result.stdout


def module_dir(module: str, version: str, cwd: Path) -> Path:
    """A module as the proxy serves it, extracted in GOMODCACHE (downloaded if needed); `cwd` is any folder."""
    return Path(_download(module, version, cwd)["Dir"])


def _download(module: str, version: str, cwd: Path) -> dict[str, str]:
    info: dict[str, str] = json.loads(
        run_go(("mod", "download", "-json", f"{module}@{version}"), cwd, go_env(), f"{module}@{version}")
    )
    return info


def go_env() -> dict[str, str]:
    """The go command's environment: the machine's toolchain only, module caches shared across builds."""
    if shutil.which("go") is None:
        raise MissingPrerequisite("the go command (Go 1.26) is not on PATH")
    env = dict(os.environ)
    env["GOTOOLCHAIN"] = "local"
    env["GOFLAGS"] = "-buildvcs=false"
    return env


_REPLACE = re.compile(r"^\s*(?:replace\s+)?(\S+)(?:\s+\S+)?\s+=>\s+(\S+)(?:\s+(\S+))?\s*$")
_REQUIRE = re.compile(r"^\s*(?:require\s+)?(\S+)\s+(v\S+)")


def replace_lines(go_mod: str, published: str) -> list[str]:
    """The replaces of a dependency's go.mod as the wrapper must restate them: a replacement by another
    module is kept; a local one (`../sdk`) becomes the published `published` version of that module, when
    the dependency requires it at all (a local replace of a module it never requires guards nothing here)."""
    required, replaced, in_replace = set(), [], False
    for line in go_mod.splitlines():
        text = line.split("//")[0].rstrip()
        if text.startswith("replace ("):
            in_replace = True
            continue
        if in_replace and text.strip() == ")":
            in_replace = False
            continue
        if (in_replace or text.startswith("replace ")) and (match := _REPLACE.match(text)):
            replaced.append(match.groups())
        elif match := _REQUIRE.match(text):
            required.add(match.group(1))
    lines = []
    for old, new, version in replaced:
        if new.startswith(("./", "../")):
            if old in required and published:
                lines.append(f"{old} => {old} {published}")
        else:
            lines.append(f"{old} => {new} {version}")
    return lines


def go_mod(tool: GoTool, replaces: Iterable[str]) -> str:
    """The wrapper's go.mod."""
    requires = "".join(f"\t{upstream.pinned}\n" for upstream in tool.requires)
    replaced = "".join(f"\t{line}\n" for line in dict.fromkeys(replaces))
    return f"module kraft.local/tools/{tool.name}\n\ngo 1.26\n\nrequire (\n{requires})\n\nreplace (\n{replaced})\n"


def tools_go(tool: GoTool) -> str:
    """Imports of the upstream main packages, so that `go mod tidy` records what they need."""
    imports = "".join(f'\t_ "{package}"\n' for package in tool.binaries.values() if not package.startswith("./"))
    return f"//go:build tools\n\npackage tools\n\nimport (\n{imports})\n"


def build(tool: GoTool, log: Callable[[str], None] = print) -> Path:
    """The tool's cache entry, built first when missing. Returns the folder holding its binaries."""
    entry = tool.entry()
    if not (entry / BUILD_RECORD).is_file():
        with cache.entry(entry) as scratch:
            if scratch is not None:
                _build_into(tool, scratch, log)
    return entry / "bin"


def _build_into(tool: GoTool, scratch: Path, log: Callable[[str], None]) -> None:
    """Build `tool` in the empty folder `scratch`: its wrapper in `src`, binaries in `bin`, and BUILD_RECORD."""
    started = time.monotonic()
    wrapper = Wrapper(tool, scratch / "src", go_env())
    wrapper.path.mkdir()
    (wrapper.path / "go.mod").write_text(go_mod(tool, ()))
    replaces = [line for upstream in tool.requires for line in _restated(wrapper, upstream)]
    (wrapper.path / "go.mod").write_text(go_mod(tool, [*replaces, *tool.replaces]))
    (wrapper.path / "tools.go").write_text(tools_go(tool))
    for package in tool.binaries.values():
        if package.startswith("./"):
            shutil.copytree(GOMAIN / package.removeprefix("./"), wrapper.path / package)
    if tool.prepare is not None:
        tool.prepare(wrapper)
    log(f"{tool.key}: resolving modules")
    cpu = _children_cpu_seconds()
    wrapper.go("mod", "tidy")
    wall = {"modules": round(time.monotonic() - started, 1)}
    cpu_seconds = {"modules": round(_children_cpu_seconds() - cpu, 1)}
    for binary, package in tool.binaries.items():
        log(f"{tool.key}: building {binary}")
        began, cpu = time.monotonic(), _children_cpu_seconds()
        ldflags = " ".join(("-s", "-w", *tool.ldflags))
        wrapper.go("build", "-trimpath", "-ldflags", ldflags, "-o", str(scratch / "bin" / binary), package)
        wall[binary] = round(time.monotonic() - began, 1)
        cpu_seconds[binary] = round(_children_cpu_seconds() - cpu, 1)
    if tool.finish is not None:
        tool.finish(wrapper, scratch / "bin")
    record = {
        "tool": tool.name,
        "version": tool.version,
        "requires": [upstream.pinned for upstream in tool.requires],
        "wall_seconds": wall | {"total": round(time.monotonic() - started, 1)},
        "cpu_seconds": cpu_seconds | {"total": round(sum(cpu_seconds.values()), 1)},
        "load_average_at_end": [round(load, 1) for load in os.getloadavg()],  # 1, 5 and 15 minutes
    }
    (scratch / BUILD_RECORD).write_text(json.dumps(record, indent=2) + "\n")


def _children_cpu_seconds() -> float:
    """User and system CPU time of every finished child process so far (compilers and linkers included):
    unlike wall time, it does not grow when other work shares the machine."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _restated(wrapper: Wrapper, upstream: Upstream) -> list[str]:
    return replace_lines(wrapper.module_go_mod(upstream.module, upstream.version), upstream.published)


def build_record(tool: GoTool) -> dict[str, object] | None:
    """What the build of a cached tool recorded (versions, seconds), or None when it is not built."""
    path = tool.entry() / BUILD_RECORD
    if not path.is_file():
        return None
    recorded: dict[str, object] = json.loads(path.read_text())
    return recorded


def pulumi_cli(sdk_version: str) -> GoTool:
    """The pulumi CLI, with the Python SDK's own exec script and dynamic-provider shim beside it (both live
    in the sdk/v3 module of the Python SDK's release)."""
    pkg, sdk = "github.com/pulumi/pulumi/pkg/v3", "github.com/pulumi/pulumi/sdk/v3"

    def python_scripts(wrapper: Wrapper, bin_dir: Path) -> None:
        scripts = wrapper.module_dir(sdk, f"v{sdk_version}") / "python"
        for script in ("cmd/pulumi-language-python-exec", "dist/pulumi-resource-pulumi-python"):
            target = bin_dir / Path(script).name
            shutil.copyfile(scripts / script, target)
            target.chmod(0o755)

    return GoTool(
        name="pulumi",
        version=f"{PULUMI_CLI}-python-{sdk_version}",
        requires=(Upstream(pkg, f"v{PULUMI_CLI}", f"v{PULUMI_CLI}"), Upstream(sdk, f"v{PULUMI_CLI}", f"v{PULUMI_CLI}")),
        binaries={"pulumi": f"{pkg}/cmd/pulumi"},
        ldflags=(f"-X {sdk}/go/common/version.Version=v{PULUMI_CLI}",),
        finish=python_scripts,
    )


def pulumi_codegen_nodejs() -> GoTool:
    """Pulumi's Node.js code generator (pkg/v3/codegen/nodejs, which the CLI does not link) behind a main of
    ours, for the GeneratePackage of our Node language host. A tool of its own, so the CLI's entry keeps
    its key and is not rebuilt."""
    pkg, sdk = "github.com/pulumi/pulumi/pkg/v3", "github.com/pulumi/pulumi/sdk/v3"
    return GoTool(
        name="pulumi-codegen-nodejs",
        version=PULUMI_CLI,
        requires=(Upstream(pkg, f"v{PULUMI_CLI}", f"v{PULUMI_CLI}"), Upstream(sdk, f"v{PULUMI_CLI}", f"v{PULUMI_CLI}")),
        binaries={"pulumi-codegen-nodejs": "./codegen-nodejs"},
    )


def pulumi_yaml() -> GoTool:
    """The YAML language host (its own repository, no replaces of its own)."""
    yaml_module = "github.com/pulumi/pulumi-yaml"
    upstream_pulumi = "v3.206.0"  # what pulumi-yaml v1.25.0 requires
    return GoTool(
        name="pulumi-language-yaml",
        version=PULUMI_YAML,
        requires=(
            Upstream(yaml_module, f"v{PULUMI_YAML}"),
            Upstream("github.com/pulumi/pulumi/pkg/v3", upstream_pulumi, upstream_pulumi),
            Upstream("github.com/pulumi/pulumi/sdk/v3", upstream_pulumi, upstream_pulumi),
        ),
        binaries={"pulumi-language-yaml": f"{yaml_module}/cmd/pulumi-language-yaml"},
        ldflags=(f"-X {yaml_module}/pkg/version.Version=v{PULUMI_YAML}",),
    )


def kubernetes_provider(version: str) -> GoTool:
    """The Kubernetes provider plugin. Its upstream main embeds generated files that are not in the module
    zip, so our main embeds the committed schema and mapping, versioned and minified here."""
    provider = "github.com/pulumi/pulumi-kubernetes/provider/v4"
    commit = KUBERNETES_PROVIDER_COMMITS.get(version)
    if commit is None:
        raise MissingPrerequisite(
            f"pulumi-kubernetes {version}: no served provider/v4 module is known for this release; pin "
            f"pulumi-kubernetes to one of {sorted(KUBERNETES_PROVIDER_COMMITS)} in constraints.txt"
        )
    upstream_pulumi = "v3.215.0"  # what the provider's go.mod requires

    def embedded_files(wrapper: Wrapper) -> None:
        upstream = wrapper.module_dir(provider, commit) / "cmd" / "pulumi-resource-kubernetes"
        schema = json.loads((upstream / "schema.json").read_text())
        schema["version"] = version
        main = wrapper.path / "kubernetes"
        (main / "schema.json").write_text(json.dumps(schema, separators=(",", ":")))
        mapping = json.loads((upstream / "terraform-mapping.json").read_text())
        (main / "terraform-mapping.json").write_text(json.dumps(mapping, separators=(",", ":")))

    return GoTool(
        name="pulumi-resource-kubernetes",
        version=version,
        requires=(
            Upstream(provider, commit),
            Upstream("github.com/pulumi/pulumi/pkg/v3", upstream_pulumi, upstream_pulumi),
            Upstream("github.com/pulumi/pulumi/sdk/v3", upstream_pulumi, upstream_pulumi),
        ),
        binaries={"pulumi-resource-kubernetes": "./kubernetes"},
        ldflags=(f"-X {provider}/pkg/version.Version={version}",),
        replaces=(
            f"github.com/pulumi/pulumi-kubernetes/sdk/v4 => github.com/pulumi/pulumi-kubernetes/sdk/v4 v{version}",
        ),
        prepare=embedded_files,
    )


def etcd() -> GoTool:
    """etcd from its server module, through a main of ours (the etcd main package is in another module)."""
    server = "go.etcd.io/etcd/server/v3"
    return GoTool(
        name="etcd",
        version=ETCD,
        requires=(Upstream(server, f"v{ETCD}", f"v{ETCD}"),),
        binaries={"etcd": "./etcd"},
    )


def kubernetes() -> GoTool:
    """kube-apiserver, kube-controller-manager and kube-scheduler of one release: k8s.io/kubernetes with each
    staging module replaced by its published v0.<minor>.<patch>, and the release stamped into /version."""
    major, minor, _ = KUBERNETES.split(".")
    stamp = {"gitVersion": f"v{KUBERNETES}", "gitMajor": major, "gitMinor": minor, "gitTreeState": "clean"}
    ldflags = tuple(
        f"-X {package}.{name}={value}"
        for package in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")
        for name, value in stamp.items()
    )
    return GoTool(
        name="kubernetes",
        version=KUBERNETES,
        requires=(Upstream("k8s.io/kubernetes", f"v{KUBERNETES}", f"v0.{minor}.{KUBERNETES.split('.')[2]}"),),
        binaries={
            command: f"k8s.io/kubernetes/cmd/{command}"
            for command in ("kube-apiserver", "kube-controller-manager", "kube-scheduler")
        },
        ldflags=ldflags,
    )


# kwok's own default stages (what kwokctl gives a cluster), from its module: nodes initialised and kept alive
# with leases, pods made Ready, Job pods completed, deleted pods removed.
KWOK_STAGES = (
    "node/fast/node-initialize.yaml",
    "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
    "pod/fast/pod-ready.yaml",
    "pod/fast/pod-complete.yaml",
    "pod/fast/pod-delete.yaml",
)


def kwok() -> GoTool:
    """kwok: fake nodes, and pods that go through their lifecycle without a kubelet. The bare binary has no
    stages of its own: its default ones are kept in the entry, as one config file (`kwok-stages.yaml`)."""
    module = "sigs.k8s.io/kwok"

    def stages(wrapper: Wrapper, bin_dir: Path) -> None:
        folder = wrapper.module_dir(module, f"v{KWOK}") / "kustomize" / "stage"
        documents = [(folder / stage).read_text().strip() for stage in KWOK_STAGES]
        (bin_dir / "kwok-stages.yaml").write_text("\n---\n".join(documents) + "\n")

    return GoTool(
        name="kwok",
        version=KWOK,
        requires=(Upstream(module, f"v{KWOK}"),),
        binaries={"kwok": f"{module}/cmd/kwok"},
        finish=stages,
    )
