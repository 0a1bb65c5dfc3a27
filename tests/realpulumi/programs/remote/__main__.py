"""KraftCluster as a remote component: the engine has the kraft plugin (provider/) construct it, exactly as
for a YAML or TypeScript program, so this Python program takes the path of every other language."""

import pulumi

TOKEN = "kraft:index:KraftCluster"
OUTPUTS = ("bootstrapServers", "statefulsetNames")


class KraftCluster(pulumi.ComponentResource):
    """The package's component by its type token, built by the plugin from the inputs."""

    def __init__(self, name: str, inputs: dict[str, object]) -> None:
        super().__init__(TOKEN, name, {**inputs, **dict.fromkeys(OUTPUTS)}, remote=True)


config = pulumi.Config("kraft")
inputs: dict[str, object] = {"spec": config.require_object("cluster")}
if (cluster_id := config.get_secret("clusterId")) is not None:
    inputs["clusterId"] = cluster_id
cluster = KraftCluster("kafka", inputs)
for output in OUTPUTS:
    pulumi.export(output, getattr(cluster, output))
