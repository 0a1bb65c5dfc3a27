"""KraftCluster: wraps the manifests of a cluster in typed Kubernetes resources with safe options."""

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random
from pydantic.alias_generators import to_snake

from . import directory_ids, guards, jobs, manifests, naming, network
from .manifests import Manifest
from .quorum_jobs import add_controllers_job
from .record import DeploymentRecord
from .spec import ClusterSpec, parse_cluster_id, parse_spec
from .statefulset import statefulset

TOKEN = "kraft:index:KraftCluster"
# Immutable in Kubernetes: a change would replace the StatefulSet and stop every pod of the pool at once.
# Existing volumes keep their size and class whatever the template says (README, "Growing volumes").
CLAIM_TEMPLATES = "spec.volumeClaimTemplates"
STATEFULSET_TIMEOUT = "30m"  # pulumi waits for every pod to be ready; the startup probe allows 15 minutes

# The top-level manifest fields each resource type takes, besides apiVersion and kind.
RESOURCE_FIELDS: dict[str, tuple[str, ...]] = {
    "Namespace": ("metadata",),
    "Secret": ("metadata", "type", "stringData"),
    "ConfigMap": ("metadata", "data"),
    "Service": ("metadata", "spec"),
    "StatefulSet": ("metadata", "spec"),
    "PodDisruptionBudget": ("metadata", "spec"),
    "Job": ("metadata", "spec"),
    "NetworkPolicy": ("metadata", "spec"),
    "PersistentVolumeClaimPatch": ("metadata", "spec"),
}


class KraftClusterArgs:
    """What a KraftCluster is made of.

    spec: a ClusterSpec, or the raw mapping of the `kraft:cluster` stack key (validated here).
    namespace: overrides `spec.namespace` and stops the component creating it; may be an Output
        (for example `my_namespace.metadata.name`).
    cluster_id: adopt this KRaft cluster ID (22 characters of base64url) instead of generating one.
    """

    def __init__(
        self,
        spec: ClusterSpec | Mapping[str, Any] | None = None,
        namespace: pulumi.Input[str] | None = None,
        cluster_id: pulumi.Input[str] | None = None,
    ) -> None:
        self.spec = spec if isinstance(spec, ClusterSpec) else parse_spec(spec, key="KraftClusterArgs.spec")
        self.namespace = namespace
        self.cluster_id = (
            parse_cluster_id(cluster_id, key="KraftClusterArgs.cluster_id")
            if isinstance(cluster_id, str)
            else cluster_id
        )


class KraftCluster(pulumi.ComponentResource):
    """An Apache Kafka cluster in KRaft mode: Services, a ConfigMap, a cluster-ID Secret, a
    StatefulSet and PodDisruptionBudget per pool, and, when controllers joined a dynamic quorum after
    creation, the Job that adds them as voters."""

    bootstrap_servers: pulumi.Output[str]
    """`host:port` that clients in the cluster bootstrap from."""
    cluster_id: pulumi.Output[str]
    """The KRaft cluster ID (secret)."""
    namespace: pulumi.Output[str]
    """The namespace every object lives in."""
    headless_service_name: pulumi.Output[str]
    """The headless Service that names the pods."""
    bootstrap_service_name: pulumi.Output[str]
    """The client Service."""
    statefulset_names: pulumi.Output[dict[str, str]]
    """The StatefulSet of each pool, by pool name."""

    def __init__(self, name: str, args: KraftClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        spec = args.spec
        cluster_id = self._cluster_id(name, args.cluster_id)
        self._record = DeploymentRecord(
            f"{name}-record",
            pulumi.Output.unsecret(cluster_id.apply(partial(guards.record, spec))),
            pulumi.ResourceOptions(parent=self, protect=True),
        )
        namespace = self._namespace(name, spec, args.namespace)

        secret_data: pulumi.Output[dict[str, str]] = pulumi.Output.secret(
            pulumi.Output.all(cluster_id, self._directory_id_seed(name, spec)).apply(
                lambda values: manifests.secret_data(spec, *values)
            )
        )
        secret = self._deploy(
            k8s.core.v1.Secret, f"{name}-cluster-id",
            namespace.apply(lambda ns: manifests.cluster_id_secret(spec, ns, secret_data)),
            protect=True,
        )  # fmt: skip
        config = self._deploy(
            k8s.core.v1.ConfigMap, f"{name}-config", namespace.apply(partial(manifests.config_map, spec))
        )
        headless = self._deploy(
            k8s.core.v1.Service, f"{name}-headless", namespace.apply(partial(manifests.headless_service, spec))
        )
        self._deploy(
            k8s.core.v1.Service, f"{name}-bootstrap", namespace.apply(partial(manifests.bootstrap_service, spec))
        )
        # Controllers roll before brokers: a broker-only pool waits until every controller pool is ready.
        controller_pools: list[pulumi.Resource] = []
        pools: list[pulumi.Resource] = []
        for index, pool in sorted(enumerate(spec.pools), key=lambda item: not item[1].is_controller):
            deployed = self._deploy(
                k8s.apps.v1.StatefulSet, f"{name}-{pool.name}",
                namespace.apply(partial(statefulset, spec, pool, index)),
                delete_before_replace=True,
                ignore_changes=[CLAIM_TEMPLATES],
                depends_on=[secret, config, headless, *([] if pool.is_controller else controller_pools)],
                custom_timeouts=pulumi.CustomTimeouts(create=STATEFULSET_TIMEOUT, update=STATEFULSET_TIMEOUT),
            )  # fmt: skip
            pools.append(deployed)
            for ordinal in range(pool.replicas) if pool.storage.grown else ():  # once the claims exist
                self._deploy(
                    k8s.core.v1.PersistentVolumeClaimPatch, f"{name}-{pool.name}-data-{ordinal}",
                    namespace.apply(partial(manifests.claim_growth_patch, spec, pool, ordinal)),
                    depends_on=[deployed],
                )  # fmt: skip
            if pool.is_controller:
                controller_pools.append(deployed)
            self._deploy(
                k8s.policy.v1.PodDisruptionBudget, f"{name}-{pool.name}-pdb",
                namespace.apply(partial(manifests.pod_disruption_budget, spec, pool)),
            )  # fmt: skip

        self._deploy(
            k8s.networking.v1.NetworkPolicy,
            f"{name}-nodes-policy",
            namespace.apply(partial(network.nodes_policy, spec)),
        )
        if spec.has_controllers_to_add or spec.metadata_version is not None:
            self._deploy(
                k8s.networking.v1.NetworkPolicy, f"{name}-admin-policy",
                namespace.apply(partial(network.admin_policy, spec)),
            )  # fmt: skip
        if spec.has_controllers_to_add:
            self._deploy(
                k8s.batch.v1.Job, f"{name}-add-controllers",
                namespace.apply(partial(add_controllers_job, spec)),
                delete_before_replace=True,  # the pod template of a Job is immutable; its name is pinned
                depends_on=[secret, config, *controller_pools],
                custom_timeouts=pulumi.CustomTimeouts(create=STATEFULSET_TIMEOUT, update=STATEFULSET_TIMEOUT),
            )  # fmt: skip
        if spec.metadata_version is not None:  # once every pool has rolled to the new image
            self._deploy(
                k8s.batch.v1.Job, f"{name}-metadata-version", namespace.apply(partial(jobs.metadata_version_job, spec)),
                depends_on=pools, delete_before_replace=True,
                custom_timeouts=pulumi.CustomTimeouts(create="15m", update="15m"),
            )  # fmt: skip

        self.bootstrap_servers = namespace.apply(partial(manifests.bootstrap_servers, spec))
        self.cluster_id = pulumi.Output.secret(cluster_id)
        self.namespace = namespace
        self.headless_service_name = pulumi.Output.from_input(naming.headless_service_name(spec.name))
        self.bootstrap_service_name = pulumi.Output.from_input(naming.bootstrap_service_name(spec.name))
        self.statefulset_names = pulumi.Output.from_input(
            {pool.name: naming.statefulset_name(spec.name, pool.name) for pool in spec.pools}
        )
        self.register_outputs(
            {
                "bootstrap_servers": self.bootstrap_servers,
                "cluster_id": self.cluster_id,
                "namespace": self.namespace,
                "headless_service_name": self.headless_service_name,
                "bootstrap_service_name": self.bootstrap_service_name,
                "statefulset_names": self.statefulset_names,
            }
        )

    def _namespace(self, name: str, spec: ClusterSpec, given: pulumi.Input[str] | None) -> pulumi.Output[str]:
        """The caller's namespace, or one the component creates (and never deletes: it holds the volumes)."""
        if given is not None:
            return pulumi.Output.from_input(given)
        if not spec.create_namespace:
            return pulumi.Output.from_input(spec.namespace)
        created: k8s.core.v1.Namespace = self._deploy(
            k8s.core.v1.Namespace, f"{name}-namespace", pulumi.Output.from_input(manifests.namespace(spec)),
            retain_on_delete=True,
        )  # fmt: skip
        return created.metadata.apply(lambda metadata: str(metadata.name))

    def _cluster_id(self, name: str, given: pulumi.Input[str] | None) -> pulumi.Output[str]:
        """The adopted cluster ID, or 16 random bytes as base64url, generated once and protected."""
        if given is not None:  # an Output is checked once known; a plain string was checked in the args
            return pulumi.Output.secret(given).apply(partial(parse_cluster_id, key="KraftClusterArgs.cluster_id"))
        generated = random.RandomId(
            f"{name}-cluster-id", byte_length=16, opts=pulumi.ResourceOptions(parent=self, protect=True)
        )
        return pulumi.Output.secret(generated.b64_url)

    def _directory_id_seed(self, name: str, spec: ClusterSpec) -> pulumi.Output[str | None]:
        """Dynamic quorum: one protected random seed that every controller's directory ID derives from."""
        if not spec.is_dynamic_quorum:
            return pulumi.Output.from_input(None)
        seed = random.RandomId(
            f"{name}-directory-id-seed",
            byte_length=directory_ids.SEED_BYTES,
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        return pulumi.Output.secret(seed.b64_url)

    def _deploy(
        self, resource: Callable[..., pulumi.CustomResource], logical_name: str, manifest: pulumi.Output[Manifest],
        **options: Any,
    ) -> Any:  # fmt: skip
        """Register one manifest as a typed Kubernetes resource, child of this component, after the
        deployment record has passed its guards."""
        kind = resource.__name__
        options["depends_on"] = [self._record, *options.get("depends_on", [])]
        fields = {
            to_snake(field): manifest.apply(partial(_field, kind=kind, field=field)) for field in RESOURCE_FIELDS[kind]
        }
        return resource(logical_name, opts=pulumi.ResourceOptions(parent=self, **options), **fields)


def _field(manifest: Manifest, kind: str, field: str) -> Any:
    """One top-level field of a manifest, after checking the manifest has no field the resource would drop."""
    unexpected = manifest.keys() - {"apiVersion", "kind", *RESOURCE_FIELDS[kind]}
    assert not unexpected and manifest["kind"] == kind.removesuffix("Patch"), f"{kind} manifest has fields {unexpected}"
    return manifest.get(field)


def resource_class(api_version: str, kind: str) -> Callable[..., pulumi.CustomResource]:
    """The typed pulumi_kubernetes class of a manifest (`apps/v1` StatefulSet -> k8s.apps.v1.StatefulSet)."""
    group, _, version = api_version.rpartition("/")
    module = getattr(k8s, (group or "core").split(".")[0])
    resource: Callable[..., pulumi.CustomResource] = getattr(getattr(module, version), kind)
    return resource


def resource_arguments(manifest: Manifest) -> dict[str, Any]:
    """A plain manifest as keyword arguments of its resource_class."""
    fields = RESOURCE_FIELDS[manifest["kind"]]
    return {to_snake(field): manifest[field] for field in fields if field in manifest}
