"""realtools.kafka_install without the network: which logging backend and main classes a release gets,
and what its bin/ shims run, checked by running the shims with a stand-in `java` that prints its
command line."""

import os
import subprocess
from pathlib import Path

import pytest

from realtools import kafka_install
from realtools.kafka_install import TOOLS, Tool, bin_scripts, jar_version, logging_backend, main_classes
from realtools.prerequisites import MissingPrerequisite

JARS_4_0 = [
    "kafka_2.13-4.0.0.jar",
    "slf4j-api-1.7.36.jar",
    "jackson-databind-2.16.2.jar",
    "jackson-dataformat-yaml-2.16.2.jar",
]
JARS_4_3 = [*JARS_4_0, "log4j-api-2.25.4.jar", "log4j-core-2.25.4.jar"]
JARS_3_9 = ["kafka_2.13-3.9.0.jar", "slf4j-api-1.7.36.jar", "reload4j-1.2.25.jar", "slf4j-reload4j-1.7.36.jar"]


def test_versions_are_releases_from_3_9_on() -> None:
    assert kafka_install.parse_version("4.4.0") == (4, 4, 0)
    for bad in ("4.4", "latest", "3.8.1"):
        with pytest.raises(ValueError, match=r"such as 4\.3\.1|oldest"):
            kafka_install.parse_version(bad)


def test_jar_versions_are_read_from_file_names() -> None:
    jars = ["log4j-1.2-api-2.25.4.jar", "log4j-api-2.25.4.jar", "javassist-3.30.2-GA.jar"]
    assert jar_version("log4j-api", jars) == "2.25.4"
    assert jar_version("log4j-1.2-api", jars) == "2.25.4"
    assert jar_version("javassist", jars) == "3.30.2-GA"
    assert jar_version("log4j", jars) is None


def test_kafka_4_gets_the_log4j2_backend_at_the_version_of_its_log4j_api() -> None:
    assert logging_backend((4, 3, 1), JARS_4_3) == [
        "org.apache.logging.log4j:log4j-1.2-api:2.25.4",
        "org.apache.logging.log4j:log4j-slf4j-impl:2.25.4",  # slf4j-api 1.7 binds through the 1.x bridge
    ]


def test_kafka_4_0_whose_poms_name_no_log4j_gets_the_version_of_its_build() -> None:
    backend = logging_backend((4, 0, 0), JARS_4_0)
    assert "org.apache.logging.log4j:log4j-core:2.24.3" in backend
    assert "org.apache.logging.log4j:log4j-api:2.24.3" in backend
    assert not any("jackson-dataformat-yaml" in item for item in backend)  # already on the classpath


def test_an_slf4j_2_classpath_gets_the_slf4j2_binding() -> None:
    jars = [jar.replace("slf4j-api-1.7.36", "slf4j-api-2.0.16") for jar in JARS_4_3]
    assert "org.apache.logging.log4j:log4j-slf4j2-impl:2.25.4" in logging_backend((4, 4, 0), jars)


def test_kafka_3_9_keeps_the_reload4j_backend_its_tools_bring() -> None:
    assert logging_backend((3, 9, 0), JARS_3_9) == []
    assert logging_backend((3, 9, 0), [jar for jar in JARS_3_9 if "reload4j" not in jar]) == [
        "ch.qos.reload4j:reload4j:1.2.25",
        "org.slf4j:slf4j-reload4j:1.7.36",
    ]


def test_a_tool_runs_the_class_its_release_has_the_newer_home_first() -> None:
    configs = Tool("kafka-configs.sh", ("org.apache.kafka.tools.ConfigCommand", "kafka.admin.ConfigCommand"))
    assert main_classes([configs], {"kafka.admin.ConfigCommand"}) == {"kafka-configs.sh": "kafka.admin.ConfigCommand"}
    both = {"kafka.admin.ConfigCommand", "org.apache.kafka.tools.ConfigCommand"}
    assert main_classes([configs], both) == {"kafka-configs.sh": "org.apache.kafka.tools.ConfigCommand"}
    with pytest.raises(MissingPrerequisite, match=r"kafka-configs\.sh"):
        main_classes([configs], set())


@pytest.fixture
def install(tmp_path: Path) -> Path:
    """A 4.3.1 layout with two stand-in jars, the shims, and a JAVA_HOME whose java prints its arguments."""
    home = tmp_path / "kafka"
    (home / "libs").mkdir(parents=True)
    for jar in ("a.jar", "b.jar"):
        (home / "libs" / jar).touch()
    (home / "bin").mkdir()
    classes = {tool.script: tool.classes[-1] for tool in TOOLS}
    for name, text in bin_scripts((4, 3, 1), classes).items():
        (home / "bin" / name).write_text(text)
        (home / "bin" / name).chmod(0o755)
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n')
    java.chmod(0o755)
    return home


def run(install: Path, script: str, *arguments: str, **env: str) -> list[str]:
    """The java command line a shim ends in, one argument per item."""
    variables = {"PATH": os.environ["PATH"], "JAVA_HOME": str(install.parent / "jdk"), **env}
    result = subprocess.run(
        [install / "bin" / script, *arguments], capture_output=True, text=True, env=variables, check=True
    )
    return result.stdout.splitlines()


def test_a_tool_runs_its_class_with_the_release_defaults(install: Path) -> None:
    argv = run(install, "kafka-topics.sh", "--list")
    assert argv[-2:] == ["org.apache.kafka.tools.TopicCommand", "--list"]
    assert "-Xmx256M" in argv  # kafka-run-class.sh's default heap
    assert f"-Dlog4j2.configurationFile={install}/bin/../config/tools-log4j2.yaml" in argv
    assert f"-Dkafka.logs.dir={install}/bin/../logs" in argv
    assert argv[argv.index("-cp") + 1] == f"{install}/bin/../libs/a.jar:{install}/bin/../libs/b.jar"
    assert "-XX:+UseG1GC" in argv and "-Dcom.sun.management.jmxremote=true" in argv


def test_the_console_tools_default_to_a_512m_heap(install: Path) -> None:
    assert "-Xmx512M" in run(install, "kafka-console-consumer.sh")
    assert "-Xmx128m" in run(install, "kafka-console-consumer.sh", KAFKA_HEAP_OPTS="-Xmx128m")


def test_the_server_start_runs_kafka_with_the_pod_environment(install: Path) -> None:
    env = {
        "KAFKA_HEAP_OPTS": "-Xms512m -Xmx512m", "KAFKA_JVM_PERFORMANCE_OPTS": "-server -XX:+UseZGC",
        "KAFKA_LOG4J_OPTS": "-Dlog4j2.configurationFile=/etc/kraft/log4j2.yaml", "LOG_DIR": str(install / "pod-logs"),
        "EXTRA_ARGS": "-name kafkaServer", "KAFKA_OPTS": "-Dextra=1",
    }  # fmt: skip
    argv = run(install, "kafka-server-start.sh", "/var/lib/kraft/server.properties", **env)
    assert argv[-2:] == ["kafka.Kafka", "/var/lib/kraft/server.properties"]
    assert argv[argv.index("-cp") + 2] == "-Dextra=1"  # KAFKA_OPTS right after the classpath
    assert {"-Xms512m", "-Xmx512m", "-XX:+UseZGC", "-Dlog4j2.configurationFile=/etc/kraft/log4j2.yaml"} <= set(argv)
    assert "-XX:+UseG1GC" not in argv and "-name" not in argv  # given options replace the defaults
    assert not any(a.startswith("-Xlog:gc") for a in argv)  # EXTRA_ARGS without -loggc: no GC log
    assert (install / "pod-logs").is_dir()  # created, as the release does when KAFKA_LOG4J_OPTS is given


def test_the_server_start_defaults_to_a_1g_heap_and_a_gc_log(install: Path) -> None:
    argv = run(install, "kafka-server-start.sh", "server.properties")
    assert {"-Xmx1G", "-Xms1G", f"-Dlog4j2.configurationFile={install}/bin/../config/log4j2.yaml"} <= set(argv)
    assert any(a.startswith(f"-Xlog:gc*:file={install}/bin/../logs/kafkaServer-gc.log") for a in argv)


def test_kafka_3_9_shims_point_log4j_1_at_its_properties_files() -> None:
    scripts = bin_scripts((3, 9, 0), {tool.script: tool.classes[-1] for tool in TOOLS})
    assert "-Dlog4j.configuration=file:$base_dir/config/tools-log4j.properties" in scripts["kafka-run-class.sh"]
    assert "-Dlog4j.configuration=file:$base_dir/../config/log4j.properties" in scripts["kafka-server-start.sh"]
    assert "kafka.admin.AclCommand" in scripts["kafka-acls.sh"]


def test_daemon_mode_is_refused(install: Path) -> None:
    result = subprocess.run([install / "bin" / "kafka-server-start.sh", "-daemon", "x.properties"],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 1 and "-daemon" in result.stderr
