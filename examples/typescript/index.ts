// The cluster of examples/yaml, from TypeScript. A stack may give another cluster as `kraft:cluster` and
// adopt a cluster ID as `kraft:clusterId`, as the Python stacks do.
import * as pulumi from "@pulumi/pulumi";
import * as kraft from "@pulumi/kraft";

const config = new pulumi.Config("kraft");
const spec: kraft.types.input.ClusterSpecArgs = config.getObject<kraft.types.input.ClusterSpecArgs>("cluster") ?? {
    name: "events",
    namespace: "events",
    pools: [
        { name: "controllers", roles: ["controller"], replicas: 3 },
        { name: "brokers", roles: ["broker"], replicas: 3, storage: { size: "50Gi" } },
    ],
};

const events = new kraft.KraftCluster("events", { spec, clusterId: config.getSecret("clusterId") });

export const bootstrapServers = events.bootstrapServers;
export const statefulsetNames = events.statefulsetNames;
