"""Issue 10, defect 1: one base64url cluster ID in 64 starts with '-'. The node script passes it as
`--cluster-id=<id>`, which the real argparse4j parser of kafka-storage reads as the value on every release
line; the separate form `--cluster-id <id>` is refused there ("expected one argument"). The offline test of
the command the script builds is in tests/test_node_bootstrap.py."""

from pathlib import Path

import pytest

from kraft_component import naming
from tests.realkafka.local_nodes import kafka_home, tool, use_real_storage_tool
from tests.standins import DASH_CLUSTER_ID, Pod
from tests.test_node_bootstrap import TOPOLOGIES, meta_bytes, started

pytestmark = pytest.mark.realkafka

RELEASES = ["3.9.2", "4.0.2", "4.1.2", "4.2.2", "4.3.1", "4.4.0"]


@pytest.mark.parametrize("version", RELEASES)
def test_the_node_script_formats_with_a_cluster_id_starting_with_a_dash(tmp_path: Path, version: str) -> None:
    pod = Pod(tmp_path, TOPOLOGIES["dev"], "nodes", 0, cluster_id=DASH_CLUSTER_ID)
    use_real_storage_tool(pod, kafka_home(version))

    first = pod.start()
    formatted = meta_bytes(pod)
    again = pod.start()

    assert started(first)["node.id"] == "0", first.stdout + first.stderr
    assert pod.meta_properties()["cluster.id"] == DASH_CLUSTER_ID
    assert started(again)["node.id"] == "0", "the restart accepts its own volume"
    assert meta_bytes(pod) == formatted


@pytest.mark.parametrize("version", RELEASES)
def test_the_separate_form_is_read_as_an_option(tmp_path: Path, version: str) -> None:
    home = kafka_home(version)
    pod = Pod(tmp_path / "pod", TOPOLOGIES["dev"], "nodes", 0)
    started(pod.start())  # server.properties, with the stand-in tools
    (pod.log_dirs[0] / "meta.properties").unlink()
    config = str(pod.path(naming.SERVER_PROPERTIES))

    done = tool(home, "kafka-storage.sh", "format", "--config", config, "--cluster-id", DASH_CLUSTER_ID, "-N",
                check=False)  # fmt: skip

    assert done.returncode != 0
    assert "argument --cluster-id/-t: expected one argument" in done.stderr
