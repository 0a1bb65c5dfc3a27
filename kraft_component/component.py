"""KraftCluster: wraps the manifests of a cluster in typed Kubernetes resources with safe options."""

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypeVar

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random
from pydantic.alias_generators import to_snake

from . import (
    credentials,
    directory_ids,
    external,
    guards,
    jobs,
    manifests,
    monitoring,
    naming,
    network,
    quorum_marker,
    tls,
    topics,
    users,
)  # fmt: skip
from .certificates import GeneratedCertificate
from .computed import provider_computed
from .manifests import Manifest
from .quorum_jobs import add_controllers_job
from .record import DeploymentRecord, PackageRecord
from .spec import ClusterSpec, TlsSource, parse_cluster_id, parse_spec
from .statefulset import statefulset

TOKEN = "kraft:index:KraftCluster"
T = TypeVar("T")
# Immutable in Kubernetes: a change would replace the StatefulSet and stop every pod of the pool at once.
# Existing volumes keep their size and class whatever the template says (docs/operations.md, "Growing volumes").
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
    "CustomResource": ("apiVersion", "kind", "metadata", "spec"),
}


class KraftClusterArgs:
    """What a KraftCluster is made of.

    spec: a ClusterSpec, or the raw mapping of the `kraft:cluster` stack key (validated here).
    namespace: overrides `spec.namespace` and stops the component creating it; may be an Output
        (for example `my_namespace.metadata.name`).
    cluster_id: adopt this KRaft cluster ID (22 characters of base64url) instead of generating one.
    user_passwords: the password of an application user of `spec.users`, by user name (secret Inputs);
        users without one get a generated password.
    """

    def __init__(
        self,
        spec: ClusterSpec | Mapping[str, Any] | None = None,
        namespace: pulumi.Input[str] | None = None,
        cluster_id: pulumi.Input[str] | None = None,
        user_passwords: Mapping[str, pulumi.Input[str]] | None = None,
    ) -> None:
        self.spec = spec if isinstance(spec, ClusterSpec) else parse_spec(spec, key="KraftClusterArgs.spec")
        self.namespace = namespace
        self.user_passwords = credentials.check_password_owners(
            self.spec, dict(user_passwords or {}), key="KraftClusterArgs.user_passwords"
        )
        self.cluster_id = (
            parse_cluster_id(cluster_id, key="KraftClusterArgs.cluster_id")
            if isinstance(cluster_id, str)
            else cluster_id
        )


class KraftCluster(pulumi.ComponentResource):
    """An Apache Kafka cluster in KRaft mode: Services, a ConfigMap, a cluster-ID Secret, a
    StatefulSet and PodDisruptionBudget per pool, and, for a dynamic quorum, the marker that it has formed
    and the Job that makes every controller a voter."""

    bootstrap_servers: pulumi.Output[str]
    """`<name>-bootstrap.<namespace>.svc.<clusterDomain>:9092`: where clients in Kubernetes bootstrap from."""
    cluster_id: pulumi.Output[str]
    """The KRaft cluster ID (secret)."""
    namespace: pulumi.Output[str]
    """The namespace every object lives in."""
    headless_service_name: pulumi.Output[str]
    """The headless Service that gives every pod its DNS name."""
    bootstrap_service_name: pulumi.Output[str]
    """The Service of the ready brokers' client port."""
    statefulset_names: pulumi.Output[dict[str, str]]
    """The StatefulSet of each pool, by pool name."""
    user_secret_names: pulumi.Output[dict[str, str]]
    """The Secret with each application user's credentials, by user name."""
    admin_password: pulumi.Output[str]
    """The password of the admin user `kraft-admin` (secret)."""

    def __init__(self, name: str, args: KraftClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        spec = args.spec
        cluster_id = self._cluster_id(name, args.cluster_id)
        self._record = self._deployment_record(
            f"{name}-record",
            guards.choices(spec),
            pulumi.Output.unsecret(cluster_id.apply(guards.cluster_id_digest)),
            pulumi.ResourceOptions(parent=self, protect=True),
        )
        self._after: list[pulumi.Resource] = [self._record]
        self._manifest_namespace, self.namespace = self._namespace(name, spec, args.namespace)

        scram_passwords = {user: self._password(f"{name}-{user}-password") for user in naming.BOOTSTRAPPED_USERS}
        secret_data: pulumi.Output[dict[str, str]] = pulumi.Output.secret(
            pulumi.Output.all(cluster_id, self._directory_id_seed(name, spec), scram_passwords).apply(
                _star(partial(manifests.secret_data, spec))
            )
        )
        secret = self._deploy(
            k8s.core.v1.Secret, f"{name}-cluster-id",
            self._built(partial(manifests.cluster_id_secret, spec, data=secret_data)),
            protect=True,
        )  # fmt: skip
        config = self._deploy(k8s.core.v1.ConfigMap, f"{name}-config", self._built(partial(manifests.config_map, spec)))
        headless = self._deploy(
            k8s.core.v1.Service, f"{name}-headless", self._built(partial(manifests.headless_service, spec))
        )
        tls_revision, tls_objects = self._certificate(name, spec)
        self._deploy(k8s.core.v1.Service, f"{name}-bootstrap", self._built(partial(manifests.bootstrap_service, spec)))
        # Controllers roll before brokers: a broker-only pool waits until every controller pool is ready.
        controller_pools: list[pulumi.Resource] = []
        pools: list[pulumi.Resource] = []
        for index, pool in sorted(enumerate(spec.pools), key=lambda item: not item[1].is_controller):
            deployed = self._deploy(
                k8s.apps.v1.StatefulSet, f"{name}-{pool.name}",
                self._built(partial(statefulset, spec, pool, index), tls_revision),
                delete_before_replace=True,
                ignore_changes=[CLAIM_TEMPLATES],
                depends_on=[secret, config, headless, *tls_objects, *([] if pool.is_controller else controller_pools)],
                custom_timeouts=pulumi.CustomTimeouts(create=STATEFULSET_TIMEOUT, update=STATEFULSET_TIMEOUT),
            )  # fmt: skip
            pools.append(deployed)
            for volume in (volume for volume in pool.storage.data_volumes if volume.grown):  # once the claims exist
                for ordinal in range(pool.replicas):
                    self._deploy(
                        k8s.core.v1.PersistentVolumeClaimPatch, f"{name}-{pool.name}-{volume.name}-{ordinal}",
                        self._built(partial(manifests.claim_growth_patch, spec, pool, volume, ordinal)),
                        depends_on=[deployed],
                    )  # fmt: skip
            if pool.is_controller:
                controller_pools.append(deployed)
            self._deploy(
                k8s.policy.v1.PodDisruptionBudget, f"{name}-{pool.name}-pdb",
                self._built(partial(manifests.pod_disruption_budget, spec, pool)),
            )  # fmt: skip
            for ordinal in range(pool.replicas) if pool.is_broker and spec.listeners.external else ():
                self._deploy(
                    k8s.core.v1.Service, f"{name}-{pool.name}-{ordinal}-external",
                    self._built(partial(external.broker_service, spec, pool, ordinal)),
                )  # fmt: skip
        if spec.listeners.external:
            self._deploy(
                k8s.core.v1.Service, f"{name}-external", self._built(partial(external.bootstrap_service, spec))
            )
        if spec.is_dynamic_quorum:
            self._dynamic_quorum(name, spec, inputs=[secret, config, *tls_objects], controllers=controller_pools)

        self._deploy(
            k8s.networking.v1.NetworkPolicy,
            f"{name}-nodes-policy",
            self._built(partial(network.nodes_policy, spec)),
        )
        if spec.metrics.pod_monitor.enabled:
            self._deploy_custom(
                f"{name}-pod-monitor",
                (monitoring.API_VERSION, "PodMonitor"),
                self._built(partial(monitoring.pod_monitor, spec)),
            )
        if spec.metrics.prometheus_rule.enabled:
            self._deploy_custom(
                f"{name}-alerts",
                (monitoring.API_VERSION, "PrometheusRule"),
                self._built(partial(monitoring.prometheus_rule, spec)),
            )
        after_cluster = [secret, config, *tls_objects, *pools]
        user_secrets = self._users(name, spec, cluster_id, given=args.user_passwords, after=after_cluster)
        if spec.manages_topics:
            self._deploy(
                k8s.batch.v1.Job, f"{name}-topics",
                self._built(lambda ns, managed: topics.topics_job(spec, ns, managed["topics"]), self._record.managed),
                depends_on=after_cluster, delete_before_replace=True,
                custom_timeouts=pulumi.CustomTimeouts(create="30m", update="30m"),
            )  # fmt: skip
        admin_jobs = (
            spec.is_dynamic_quorum,  # the add-controllers Job
            spec.metadata_version is not None,
            spec.manages_users,
            spec.manages_topics,
        )
        if any(admin_jobs):
            self._deploy(
                k8s.networking.v1.NetworkPolicy, f"{name}-admin-policy",
                self._built(partial(network.admin_policy, spec)),
            )  # fmt: skip
        if spec.metadata_version is not None:  # once every pool has rolled to the new image
            self._deploy(
                k8s.batch.v1.Job, f"{name}-metadata-version", self._built(partial(jobs.metadata_version_job, spec)),
                depends_on=pools, delete_before_replace=True,
                custom_timeouts=pulumi.CustomTimeouts(create="15m", update="15m"),
            )  # fmt: skip

        self.bootstrap_servers = self.namespace.apply(partial(manifests.bootstrap_servers, spec))
        self.cluster_id = pulumi.Output.secret(cluster_id)
        self.headless_service_name = pulumi.Output.from_input(naming.headless_service_name(spec.name))
        self.bootstrap_service_name = pulumi.Output.from_input(naming.bootstrap_service_name(spec.name))
        self.statefulset_names = pulumi.Output.from_input(
            {pool.name: naming.statefulset_name(spec.name, pool.name) for pool in spec.pools}
        )
        self.user_secret_names = pulumi.Output.from_input(user_secrets)
        self.admin_password = pulumi.Output.secret(scram_passwords[naming.ADMIN_USER])
        self.register_outputs(
            {
                "bootstrap_servers": self.bootstrap_servers,
                "cluster_id": self.cluster_id,
                "namespace": self.namespace,
                "headless_service_name": self.headless_service_name,
                "bootstrap_service_name": self.bootstrap_service_name,
                "statefulset_names": self.statefulset_names,
                "user_secret_names": self.user_secret_names,
                "admin_password": self.admin_password,
            }
        )

    def _namespace(
        self, name: str, spec: ClusterSpec, given: pulumi.Input[str] | None
    ) -> tuple[str | pulumi.Output[str], pulumi.Output[str]]:
        """The caller's namespace, or one the component creates (and never deletes: it holds the volumes): the
        name the manifests are built with, and the `namespace` output.

        A created namespace's name is `spec.namespace`, known now, so every manifest is built at once and every
        object depends on the Namespace through its options rather than through an Output of the name (which
        would cost an Output per manifest field). The output still carries the Namespace, so what a program
        builds in it waits for it too."""
        if given is not None:
            output = pulumi.Output.from_input(given)
            return (given if isinstance(given, str) else output), output
        if not spec.create_namespace:
            return spec.namespace, pulumi.Output.from_input(spec.namespace)
        created: k8s.core.v1.Namespace = self._deploy(
            k8s.core.v1.Namespace, f"{name}-namespace", manifests.namespace(spec),
            retain_on_delete=True,
        )  # fmt: skip
        self._after.append(created)
        return spec.namespace, created.metadata.apply(lambda metadata: str(metadata.name))

    def _deployment_record(
        self, name: str, choices: guards.Record, digest: pulumi.Output[str], opts: pulumi.ResourceOptions
    ) -> DeploymentRecord | PackageRecord:
        """The record as a Python dynamic resource: a Python program needs no plugin for it. The kraft plugin's
        component (hosted.KraftCluster) keeps it as a resource the plugin serves instead."""
        return DeploymentRecord(name, choices, digest, opts)

    def _cluster_id(self, name: str, given: pulumi.Input[str] | None) -> pulumi.Output[str]:
        """The adopted cluster ID, or 16 random bytes as base64url, generated once and protected."""
        if given is not None:  # an Output is checked once known; a plain string was checked in the args
            return pulumi.Output.secret(given).apply(partial(parse_cluster_id, key="KraftClusterArgs.cluster_id"))
        generated = random.RandomId(
            f"{name}-cluster-id", byte_length=16, opts=pulumi.ResourceOptions(parent=self, protect=True)
        )
        return pulumi.Output.secret(provider_computed(generated.b64_url))

    def _directory_id_seed(self, name: str, spec: ClusterSpec) -> pulumi.Output[str | None]:
        """Dynamic quorum: one protected random seed that the initial controllers' directory IDs derive from."""
        if not spec.is_dynamic_quorum:
            return pulumi.Output.from_input(None)
        seed = random.RandomId(
            f"{name}-directory-id-seed",
            byte_length=directory_ids.SEED_BYTES,
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        return pulumi.Output.secret(provider_computed(seed.b64_url))

    def _password(self, logical_name: str) -> pulumi.Output[str]:
        """A generated password: 32 letters and digits, which every place a password goes takes unquoted."""
        password = random.RandomPassword(
            logical_name, length=credentials.GENERATED_LENGTH, special=False, opts=pulumi.ResourceOptions(parent=self)
        )
        return pulumi.Output.secret(provider_computed(password.result))

    def _certificate(self, name: str, spec: ClusterSpec) -> tuple[pulumi.Output[str] | None, list[pulumi.Resource]]:
        """The TLS Secret the listeners use, and a revision that rolls the nodes when a generated certificate
        is re-issued (cert-manager renews its Secret in place: see docs/security.md, 'Certificates')."""
        if not spec.listeners.uses_tls:
            return None, []
        if spec.tls.source is TlsSource.CERT_MANAGER:
            issued = self._deploy_custom(
                f"{name}-certificate", tls.CERTIFICATE_TYPE, self._built(partial(tls.certificate, spec))
            )
            return None, [issued]
        generated = GeneratedCertificate(
            f"{name}-tls", spec, self._built(partial(tls.dns_names, spec)), pulumi.ResourceOptions(parent=self)
        )
        secret = self._deploy(
            k8s.core.v1.Secret, f"{name}-tls", self._built(partial(tls.tls_secret, spec, data=generated.secret_data))
        )
        return generated.revision, [secret]

    def _dynamic_quorum(
        self, name: str, spec: ClusterSpec, *, inputs: list[pulumi.Resource], controllers: list[pulumi.Resource]
    ) -> None:  # fmt: skip
        """The quorum marker, only once every controller is Ready (the quorum has formed), and the add-controllers
        Job, which makes every controller a voter."""
        self._deploy(
            k8s.core.v1.ConfigMap, f"{name}-quorum", self._built(partial(quorum_marker.marker, spec)),
            depends_on=controllers, protect=True,
        )  # fmt: skip
        self._deploy(
            k8s.batch.v1.Job, f"{name}-add-controllers",
            self._built(partial(add_controllers_job, spec)),
            delete_before_replace=True,  # the pod template of a Job is immutable; its name is pinned
            depends_on=[*inputs, *controllers],
            custom_timeouts=pulumi.CustomTimeouts(create=STATEFULSET_TIMEOUT, update=STATEFULSET_TIMEOUT),
        )  # fmt: skip

    def _users(
        self, name: str, spec: ClusterSpec, cluster_id: pulumi.Output[str], *,
        given: Mapping[str, pulumi.Input[str]], after: list[pulumi.Resource],
    ) -> dict[str, str]:  # fmt: skip
        """Each application user's credentials Secret, and the Job that creates the users and their ACLs once
        the cluster (`after`) runs. Returns the Secret names by user."""
        passwords = {
            user.name: pulumi.Output.secret(given[user.name]).apply(
                partial(credentials.parse_password, key=credentials.password_key(user.name))
            )
            if user.name in given
            else self._password(f"{name}-user-{user.name}")
            for user in spec.users
        }
        secrets = []
        for user in spec.users:
            data: pulumi.Output[dict[str, str]] = pulumi.Output.secret(
                self._built(partial(users.credentials, spec, user), passwords[user.name])
            )
            user_secret = self._built(partial(users.user_secret, spec, user, data=data))
            secrets.append(self._deploy(k8s.core.v1.Secret, f"{name}-user-{user.name}", user_secret))
        if spec.manages_users:
            revision = pulumi.Output.unsecret(
                pulumi.Output.all(cluster_id, passwords).apply(_star(credentials.revision))
            )
            retired = self._record.managed.apply(lambda managed: users.retired_users(spec, managed["users"]))
            self._deploy(
                k8s.batch.v1.Job, f"{name}-users",
                self._built(partial(users.users_job, spec), revision, retired),
                depends_on=[*after, *secrets], delete_before_replace=True,
                custom_timeouts=pulumi.CustomTimeouts(create="15m", update="15m"),
            )  # fmt: skip
        return {user.name: naming.user_secret_name(spec.name, user.name) for user in spec.users}

    def _built(self, build: Callable[..., T], *inputs: Any) -> T | pulumi.Output[T]:
        """`build(namespace, *inputs)`: at once when each is known, else an Output of it once they are."""
        values = (self._manifest_namespace, *inputs)
        if any(isinstance(value, pulumi.Output) for value in values):
            return pulumi.Output.all(*values).apply(_star(build))
        return build(*values)

    def _deploy_custom(
        self, logical_name: str, custom_type: tuple[str, str], manifest: pulumi.Output[Manifest] | Manifest
    ) -> pulumi.CustomResource:
        """Register an object of another project's CRDs (cert-manager, the Prometheus Operator), after the
        deployment record has passed its guards. Its `(apiVersion, kind)` are plain strings, never Outputs: the
        provider builds the resource's type token from them."""
        api_version, kind = custom_type

        def custom_field(obj: Manifest, field: str) -> Any:
            assert (obj["apiVersion"], obj["kind"]) == custom_type, f"{obj['kind']} is no {kind}"
            return _field(obj, kind="CustomResource", field=field)

        return k8s.apiextensions.CustomResource(
            logical_name,
            api_version=api_version,
            kind=kind,
            **_fields(manifest, custom_field, ("metadata", "spec")),
            opts=pulumi.ResourceOptions(parent=self, depends_on=self._after),
        )

    def _deploy(
        self, resource: Callable[..., pulumi.CustomResource], logical_name: str,
        manifest: pulumi.Output[Manifest] | Manifest, **options: Any,
    ) -> Any:  # fmt: skip
        """Register one manifest as a typed Kubernetes resource, child of this component, after the
        deployment record has passed its guards (and after the Namespace the component creates)."""
        kind = resource.__name__
        options["depends_on"] = [*self._after, *options.get("depends_on", [])]
        fields = _fields(manifest, partial(_field, kind=kind), RESOURCE_FIELDS[kind])
        return resource(logical_name, opts=pulumi.ResourceOptions(parent=self, **options), **fields)


def _star(function: Callable[..., T]) -> Callable[[list[Any]], T]:
    """`function` applied to the resolved values of `pulumi.Output.all(...)` as its trailing arguments."""

    def call(values: list[Any]) -> T:
        return function(*values)

    return call


def _fields(
    manifest: pulumi.Output[Manifest] | Manifest, pick: Callable[..., Any], fields: tuple[str, ...]
) -> dict[str, Any]:
    """The resource arguments of `fields`, each `pick(manifest, field=...)`. A manifest known now is passed as
    it is: an Output of it would cost an Output for every value inside (Output.from_input lifts them all)."""
    return {
        to_snake(field): manifest.apply(partial(pick, field=field))
        if isinstance(manifest, pulumi.Output)
        else pick(manifest, field=field)
        for field in fields
    }


def _field(manifest: Manifest, kind: str, field: str) -> Any:
    """One top-level field of a manifest, after checking the manifest has no field the resource would drop."""
    unexpected = manifest.keys() - {"apiVersion", "kind", *RESOURCE_FIELDS[kind]}
    assert not unexpected, f"{kind} manifest has fields {unexpected}"
    assert kind == "CustomResource" or manifest["kind"] == kind.removesuffix("Patch"), (
        f"{manifest['kind']} is no {kind}"
    )
    return manifest.get(field)
