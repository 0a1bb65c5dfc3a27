"""Kafka releases installed from Maven Central, laid out like the official image's /opt/kafka.

`libs/` is the runtime classpath of the server (`org.apache.kafka:kafka_2.13`) and the tools
(`org.apache.kafka:kafka-tools`) without Kafka Connect, plus the logging backend their POMs leave to the
release tarball.
`config/` holds console-only logging configurations. `bin/` holds shims of the release's scripts: each
does what the release's `kafka-run-class.sh` does with a release layout (classpath, JVM options, log
settings) and then runs Kafka's own main class, so no Kafka behaviour is ours. The release scripts are
only in the release tarball, which no registry serves; these shims are written from reading them.

An install is cached under `${KRAFT_CACHE_DIR:-~/.cache/kraft}/kafka/<version>/` and only counts once
complete (built in a temporary folder and renamed at the end) and made by this recipe (RECIPE).
"""

import argparse
import fcntl
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .prerequisites import MissingPrerequisite, cache_root, command

SCALA = "2.13"
OLDEST = (3, 9, 0)  # the oldest release this project supports (dynamic quorums arrived in 3.9)
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
# Kafka 4.0.x's POMs name no log4j artifact; its build (gradle/dependencies.gradle) uses log4j2 2.24.3.
# From 4.1 on kafka-server's POM names log4j-api and log4j-core, and their version is taken from there.
LOG4J_NOT_IN_POM = {(4, 0): "2.24.3"}
# Kafka 3.9's build logs through reload4j; kafka-tools' POM brings it and slf4j-reload4j at run time.
RELOAD4J = "1.2.25"
MANIFEST = "kraft-install.json"
RECIPE = 2  # raise it when an install would come out differently: older cached installs are rebuilt
# Kafka Connect, which kafka-tools' POM pulls in for its Connect tools and the release tarball ships, but which
# neither the broker nor any tool the pods run loads. Left out: Maven Central as reached here lacks some of
# its releases (connect-api 4.0.1), and the classpath is 40 jars shorter without it and its web stack.
CONNECT = ("connect-api", "connect-json", "connect-transforms", "connect-runtime")
Version = tuple[int, int, int]


@dataclass(frozen=True)
class Tool:
    """A script of the release's bin/ and the main class it runs."""

    script: str
    classes: tuple[str, ...]
    """Where releases keep the class, the newer home first (a release has one of them, or both)."""
    heap: str | None = None
    """The KAFKA_HEAP_OPTS the release's script sets when none is given (else kafka-run-class.sh's)."""


# The scripts the node scripts, the admin Jobs and the tests call.
TOOLS = (
    Tool("kafka-storage.sh", ("kafka.tools.StorageTool",)),
    Tool("kafka-metadata-quorum.sh", ("org.apache.kafka.tools.MetadataQuorumCommand",)),
    Tool("kafka-features.sh", ("org.apache.kafka.tools.FeatureCommand",)),
    Tool("kafka-configs.sh", ("org.apache.kafka.tools.ConfigCommand", "kafka.admin.ConfigCommand")),
    Tool("kafka-acls.sh", ("org.apache.kafka.tools.AclCommand", "kafka.admin.AclCommand")),
    Tool("kafka-topics.sh", ("org.apache.kafka.tools.TopicCommand",)),
    Tool("kafka-get-offsets.sh", ("org.apache.kafka.tools.GetOffsetShell",)),
    Tool("kafka-console-producer.sh", ("org.apache.kafka.tools.ConsoleProducer", "kafka.tools.ConsoleProducer"), "-Xmx512M"),
    Tool("kafka-console-consumer.sh", ("org.apache.kafka.tools.consumer.ConsoleConsumer",), "-Xmx512M"),
    Tool("kafka-verifiable-producer.sh", ("org.apache.kafka.tools.VerifiableProducer",), "-Xmx512M"),
    Tool("kafka-verifiable-consumer.sh", ("org.apache.kafka.tools.VerifiableConsumer",), "-Xmx512M"),
)  # fmt: skip
SERVER_CLASS = "kafka.Kafka"


def parse_version(text: str) -> Version:
    """`4.3.1` as (4, 3, 1); ValueError for anything else or a release older than OLDEST."""
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", text)
    if match is None:
        raise ValueError(f"{text!r} is not a Kafka release such as 4.3.1")
    version = (int(match[1]), int(match[2]), int(match[3]))
    if version < OLDEST:
        raise ValueError(f"Kafka {text} is older than {'.'.join(map(str, OLDEST))}, the oldest release supported")
    return version


def home(version: str) -> Path:
    """Where the install of `version` lives (whether or not it exists yet)."""
    parse_version(version)
    return cache_root() / "kafka" / version


def installed(version: str) -> Path | None:
    """The complete install of `version` made by this recipe, or None."""
    path = home(version)
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return path if manifest.get("recipe") == RECIPE else None


def uses_log4j2(version: Version) -> bool:
    """Kafka 4.0 moved from log4j 1 (reload4j) to log4j2."""
    return version >= (4, 0, 0)


def server_logging_file(version: Version) -> str:
    """The release's broker logging configuration, in config/."""
    return "log4j2.yaml" if uses_log4j2(version) else "log4j.properties"


def tools_logging_file(version: Version) -> str:
    """The release's tools logging configuration, in config/."""
    return "tools-log4j2.yaml" if uses_log4j2(version) else "tools-log4j.properties"


def log4j_option(version: Version, path: str) -> str:
    """The JVM option that points the release's logging backend at a configuration file."""
    return f"-Dlog4j2.configurationFile={path}" if uses_log4j2(version) else f"-Dlog4j.configuration=file:{path}"


def jar_version(artifact: str, jars: Iterable[str]) -> str | None:
    """The version of `artifact` among jar file names `<artifact>-<version>.jar`, or None."""
    pattern = re.compile(re.escape(artifact) + r"-(\d[\w.]*(?:-[A-Za-z][\w.]*)?)\.jar")
    for jar in jars:
        match = pattern.fullmatch(jar)
        if match:
            return match[1]
    return None


def logging_backend(version: Version, jars: Sequence[str]) -> list[str]:
    """The `group:artifact:version` coordinates the release tarball adds to the POMs' runtime classpath
    (`jars`) so that the server and tools log at all: the log4j2 core and bridges from 4.0 on, reload4j
    before. The slf4j binding matches the slf4j-api on the classpath (1.x: log4j-slf4j-impl)."""
    needed: list[str] = []
    if not uses_log4j2(version):
        slf4j = jar_version("slf4j-api", jars)
        if slf4j is None:
            raise MissingPrerequisite(f"Kafka {'.'.join(map(str, version))}'s runtime classpath has no slf4j-api")
        wanted = {"ch.qos.reload4j:reload4j": RELOAD4J, "org.slf4j:slf4j-reload4j": slf4j}
    else:
        log4j = jar_version("log4j-api", jars) or LOG4J_NOT_IN_POM.get(version[:2])
        slf4j = jar_version("slf4j-api", jars)
        jackson = jar_version("jackson-databind", jars)
        if log4j is None or slf4j is None or jackson is None:
            raise MissingPrerequisite(
                f"cannot tell the logging backend of Kafka {'.'.join(map(str, version))}: its runtime classpath "
                f"lacks log4j-api, slf4j-api or jackson-databind ({log4j=}, {slf4j=}, {jackson=})"
            )
        binding = "log4j-slf4j-impl" if slf4j.startswith("1.") else "log4j-slf4j2-impl"
        wanted = {
            f"org.apache.logging.log4j:{artifact}": log4j
            for artifact in ("log4j-api", "log4j-core", "log4j-1.2-api", binding)
        }
        wanted["com.fasterxml.jackson.dataformat:jackson-dataformat-yaml"] = jackson  # reads log4j2.yaml
    for coordinates, artifact_version in wanted.items():
        if jar_version(coordinates.split(":")[1], jars) is None:
            needed.append(f"{coordinates}:{artifact_version}")
    return needed


def main_classes(tools: Sequence[Tool], classes: set[str]) -> dict[str, str]:
    """Each tool's main class among the classes the release's jars hold; MissingPrerequisite for a tool the
    release lacks."""
    found: dict[str, str] = {}
    for tool in tools:
        name = next((candidate for candidate in tool.classes if candidate in classes), None)
        if name is None:
            raise MissingPrerequisite(f"no jar of this release holds {' or '.join(tool.classes)} ({tool.script})")
        found[tool.script] = name
    return found


def jar_classes(libs: Path) -> set[str]:
    """The class names in Kafka's own jars (`kafka*.jar`), dotted."""
    names: set[str] = set()
    for jar in sorted(libs.glob("kafka*.jar")):
        with zipfile.ZipFile(jar) as archive:
            names.update(
                entry.removesuffix(".class").replace("/", ".")
                for entry in archive.namelist()
                if entry.endswith(".class") and "$" not in entry
            )
    return names


RUN_CLASS = r"""#!/bin/bash
# kraft's stand-in for the bin/kafka-run-class.sh of the Kafka @VERSION@ release, for an install from Maven
# Central laid out like the release (libs/, config/, bin/). It does what the release's script does with
# such a layout, in the same order and with the same defaults, and runs the given main class.
# Not supported: -daemon (nothing here runs in the background) and KAFKA_DEBUG.

if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] [-name servicename] [-loggc] classname [opts]"
  exit 1
fi

base_dir=$(dirname "$0")/..

for file in "$base_dir"/libs/*; do
  CLASSPATH="$CLASSPATH":"$file"
done
CLASSPATH=${CLASSPATH#:}

if [ -z "$KAFKA_JMX_OPTS" ]; then
  KAFKA_JMX_OPTS="-Dcom.sun.management.jmxremote=true -Dcom.sun.management.jmxremote.authenticate=false  -Dcom.sun.management.jmxremote.ssl=false "
fi
if [ "$JMX_PORT" ]; then
  KAFKA_JMX_OPTS="$KAFKA_JMX_OPTS -Dcom.sun.management.jmxremote.port=$JMX_PORT "
  case "$KAFKA_JMX_OPTS" in
    *-Dcom.sun.management.jmxremote.rmi.port=*) ;;
    *) KAFKA_JMX_OPTS="$KAFKA_JMX_OPTS -Dcom.sun.management.jmxremote.rmi.port=$JMX_PORT" ;;
  esac
fi

if [ "x$LOG_DIR" = "x" ]; then
  LOG_DIR="$base_dir/logs"
fi

if [ -z "$KAFKA_LOG4J_OPTS" ]; then
  KAFKA_LOG4J_OPTS="@TOOLS_LOG4J@"
elif [ ! -d "$LOG_DIR" ]; then
  mkdir -p "$LOG_DIR"
fi
KAFKA_LOG4J_OPTS="-Dkafka.logs.dir=$LOG_DIR $KAFKA_LOG4J_OPTS"

if [ -z "$JAVA_HOME" ]; then
  JAVA="java"
else
  JAVA="$JAVA_HOME/bin/java"
fi

if [ -z "$KAFKA_HEAP_OPTS" ]; then
  KAFKA_HEAP_OPTS="-Xmx256M"
fi

if [ -z "$KAFKA_JVM_PERFORMANCE_OPTS" ]; then
  KAFKA_JVM_PERFORMANCE_OPTS="-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true"
fi

while [ $# -gt 0 ]; do
  case $1 in
    -name)
      DAEMON_NAME=$2
      shift 2
      ;;
    -loggc)
      if [ -z "$KAFKA_GC_LOG_OPTS" ]; then
        GC_LOG_ENABLED="true"
      fi
      shift
      ;;
    -daemon)
      echo "kraft: this install does not run Kafka in the background (-daemon)" >&2
      exit 1
      ;;
    *)
      break
      ;;
  esac
done

if [ "x$GC_LOG_ENABLED" = "xtrue" ]; then
  KAFKA_GC_LOG_OPTS="-Xlog:gc*:file=$LOG_DIR/$DAEMON_NAME-gc.log:time,tags:filecount=10,filesize=100M"
fi

exec "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_GC_LOG_OPTS $KAFKA_JMX_OPTS $KAFKA_LOG4J_OPTS -cp "$CLASSPATH" $KAFKA_OPTS "$@"
"""

SERVER_START = r"""#!/bin/bash
# kraft's stand-in for the bin/kafka-server-start.sh of the Kafka @VERSION@ release.
if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] server.properties [--override property=value]*"
  exit 1
fi
base_dir=$(dirname "$0")

if [ "x$KAFKA_LOG4J_OPTS" = "x" ]; then
  export KAFKA_LOG4J_OPTS="@SERVER_LOG4J@"
fi
if [ "x$KAFKA_HEAP_OPTS" = "x" ]; then
  export KAFKA_HEAP_OPTS="-Xmx1G -Xms1G"
fi

EXTRA_ARGS=${EXTRA_ARGS-'-name kafkaServer -loggc'}
case $1 in
  -daemon)
    EXTRA_ARGS="-daemon "$EXTRA_ARGS
    shift
    ;;
esac

exec "$base_dir/kafka-run-class.sh" $EXTRA_ARGS @CLASS@ "$@"
"""

TOOL = r"""#!/bin/bash
# kraft's stand-in for the bin/@SCRIPT@ of the Kafka @VERSION@ release.
@HEAP@exec "$(dirname "$0")/kafka-run-class.sh" @CLASS@ "$@"
"""

HEAP_DEFAULT = 'if [ "x$KAFKA_HEAP_OPTS" = "x" ]; then\n  export KAFKA_HEAP_OPTS="@HEAP@"\nfi\n'


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(f"@{key}@", value)
    return template


def bin_scripts(version: Version, classes: dict[str, str]) -> dict[str, str]:
    """The text of every script of bin/, by name; `classes` is each tool's main class."""
    text = ".".join(map(str, version))
    scripts = {
        "kafka-run-class.sh": _fill(
            RUN_CLASS, {"VERSION": text, "TOOLS_LOG4J": log4j_option(version, "$base_dir/config/" + tools_logging_file(version))}
        ),
        "kafka-server-start.sh": _fill(
            SERVER_START,
            {
                "VERSION": text,
                "SERVER_LOG4J": log4j_option(version, "$base_dir/../config/" + server_logging_file(version)),
                "CLASS": SERVER_CLASS,
            },
        ),
    }  # fmt: skip
    for tool in TOOLS:
        heap = _fill(HEAP_DEFAULT, {"HEAP": tool.heap}) if tool.heap else ""
        scripts[tool.script] = _fill(
            TOOL, {"SCRIPT": tool.script, "VERSION": text, "HEAP": heap, "CLASS": classes[tool.script]}
        )
    return scripts


SERVER_LOG4J2 = """\
# kraft: the broker logs to the console, at INFO.
Configuration:
  Appenders:
    Console:
      name: STDOUT
      target: SYSTEM_OUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
"""
TOOLS_LOG4J2 = """\
# kraft: the tools log warnings to standard error, so their output stays theirs.
Configuration:
  Appenders:
    Console:
      name: STDERR
      target: SYSTEM_ERR
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDERR
"""
SERVER_LOG4J = """\
# kraft: the broker logs to the console, at INFO.
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
"""
TOOLS_LOG4J = """\
# kraft: the tools log warnings to standard error, so their output stays theirs.
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.appender.stderr.Target=System.err
"""


def config_files(version: Version) -> dict[str, str]:
    """The logging configurations of config/, by name."""
    if uses_log4j2(version):
        return {server_logging_file(version): SERVER_LOG4J2, tools_logging_file(version): TOOLS_LOG4J2}
    return {server_logging_file(version): SERVER_LOG4J, tools_logging_file(version): TOOLS_LOG4J}


def pom(coordinates: Sequence[str]) -> str:
    """A POM that only depends on `coordinates` (`group:artifact:version`), without Kafka Connect."""
    exclusions = "".join(
        f"<exclusion><groupId>org.apache.kafka</groupId><artifactId>{artifact}</artifactId></exclusion>"
        for artifact in CONNECT
    )
    dependencies = "".join(
        f"<dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId><version>{version}</version>"
        f"<exclusions>{exclusions}</exclusions></dependency>"
        for group, artifact, version in (item.split(":") for item in coordinates)
    )
    return (
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
        "<groupId>kraft.realtools</groupId><artifactId>kafka-install</artifactId><version>1</version>"
        f"<packaging>pom</packaging><dependencies>{dependencies}</dependencies></project>\n"
    )


def copy_dependencies(coordinates: Sequence[str], libs: Path, work: Path, *, transitive: bool) -> None:
    """Put the runtime classpath of `coordinates` into `libs` with Maven (from Maven Central or ~/.m2)."""
    mvn = command("mvn", "to fetch Kafka's jars from Maven Central (apt-get install maven)")
    work.mkdir(parents=True, exist_ok=True)
    (work / "pom.xml").write_text(pom(coordinates))
    arguments = [
        mvn, "-B", "-q", "-Dstyle.color=never", "-f", str(work / "pom.xml"), f"{DEPENDENCY_PLUGIN}:copy-dependencies",
        "-DincludeScope=runtime", f"-DoutputDirectory={libs}", f"-DexcludeTransitive={str(not transitive).lower()}",
    ]  # fmt: skip
    result = subprocess.run(arguments, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        errors = [line for line in output if "ERROR" in line] or output
        raise MissingPrerequisite(
            f"Maven could not fetch {', '.join(coordinates)} from Maven Central: {' '.join(errors[:3])}"
        )


def build(version: Version, target: Path) -> dict[str, object]:
    """Lay out the install of `version` in the empty folder `target`; return its manifest."""
    text = ".".join(map(str, version))
    libs = target / "libs"
    work = target / ".maven"
    try:
        copy_dependencies(
            [f"org.apache.kafka:kafka_{SCALA}:{text}", f"org.apache.kafka:kafka-tools:{text}"],
            libs, work / "kafka", transitive=True,
        )  # fmt: skip
        backend = logging_backend(version, sorted(path.name for path in libs.iterdir()))
        if backend:
            copy_dependencies(backend, libs, work / "logging", transitive=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    classes = main_classes(TOOLS, jar_classes(libs))
    (target / "config").mkdir()
    for name, content in config_files(version).items():
        (target / "config" / name).write_text(content)
    (target / "bin").mkdir()
    for name, content in bin_scripts(version, classes).items():
        script = target / "bin" / name
        script.write_text(content)
        script.chmod(0o755)
    (target / "logs").mkdir()  # LOG_DIR of the release layout; pods mount an emptyDir over it
    for folder in (target, *(path for path in target.rglob("*") if path.is_dir())):
        folder.chmod(0o755)
    return {"version": text, "recipe": RECIPE, "tools": classes, "logging": backend, "jars": len(list(libs.iterdir()))}


def install(version: str, log: Callable[[str], None] = print) -> Path:
    """The install of `version`, built first if it is not cached (one build at a time per version)."""
    parsed = parse_version(version)
    target = home(version)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed(version):
            return target
        for stale in target.parent.glob(f".{version}-*"):  # a build that was killed (this lock is held)
            shutil.rmtree(stale, ignore_errors=True)
        started = time.monotonic()
        log(f"installing Kafka {version} from Maven Central into {target}")
        building = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=target.parent))
        try:
            manifest = build(parsed, building)
            manifest["seconds"] = round(time.monotonic() - started, 1)
            (building / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
            shutil.rmtree(target, ignore_errors=True)  # an incomplete leftover, or an older recipe's
            building.rename(target)
        finally:
            shutil.rmtree(building, ignore_errors=True)
        log(f"installed Kafka {version} in {manifest['seconds']} s ({manifest['jars']} jars)")
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """`install <version>...` prints each install's path; `home <version>` prints it if installed."""
    parser = argparse.ArgumentParser(prog="bin/real-kafka", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help="install releases from Maven Central (cached)").add_argument(
        "versions", nargs="+", metavar="VERSION"
    )
    commands.add_parser("home", help="print where a release is installed").add_argument("version")
    args = parser.parse_args(argv)
    try:
        if args.command == "home":
            path = installed(args.version)
            if path is None:
                print(
                    f"Kafka {args.version} is not installed; run: bin/real-kafka install {args.version}",
                    file=sys.stderr,
                )
                return 1
            print(path)
            return 0
        for version in args.versions:
            print(install(version, log=lambda line: print(line, file=sys.stderr)))
    except (ValueError, MissingPrerequisite) as error:
        print(f"bin/real-kafka: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
