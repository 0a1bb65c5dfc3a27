"""Gate 3: what the API server checks, or silently gets wrong, beyond the OpenAPI schema.

Names and their length limits, label and port-name syntax, enum values and ranges (the schema has neither),
selectors that select the pods they are meant for, and references that resolve: volume mounts, probe
ports, a StatefulSet's governing Service, files in mounted ConfigMaps and Secrets.
"""

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from . import FieldPath, Manifest, PodTemplate, failure, get, identity, leaves, pod_templates, quantity

Rule = Callable[[str], str | None]

MAX_LABEL = 63
MAX_SUBDOMAIN = 253
MAX_PORT_NAME = 15
REVISION_HASH = 10  # a StatefulSet's pods carry controller-revision-hash=<name>-<hash>, a label value
MAX_ANNOTATIONS_BYTES = 256 * 1024
MAX_CONFIG_BYTES = 1024 * 1024
NODE_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
NODE_TERM = ("nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
PREFERRED_NODE_TERM = ("nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution", "preference")
CLUSTER_SCOPED = frozenset(
    {"Namespace", "ClusterRole", "ClusterRoleBinding", "StorageClass", "PersistentVolume", "PriorityClass",
     "CustomResourceDefinition", "IngressClass", "APIService"}
)  # fmt: skip

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_IANA_SVC_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_PERCENT = re.compile(r"^[0-9]+%$")
_ABSOLUTE_PATH = re.compile(r"(?<![\w.-])(/[\w./-]+)")


def _syntax(pattern: re.Pattern[str], max_length: int, what: str) -> Rule:
    def rule(value: str) -> str | None:
        if isinstance(value, str) and len(value) <= max_length and pattern.match(value):
            return None
        return f"{value!r} is not {what} (at most {max_length} characters)"

    return rule


dns_label = _syntax(_DNS1123_LABEL, MAX_LABEL, "a DNS-1123 label: a-z, 0-9 and '-'")
dns1035_label = _syntax(_DNS1035_LABEL, MAX_LABEL, "a DNS-1035 label: a-z, 0-9 and '-', starting with a letter")
dns_subdomain = _syntax(_DNS1123_SUBDOMAIN, MAX_SUBDOMAIN, "a DNS-1123 subdomain")
label_value = _syntax(_LABEL_VALUE, MAX_LABEL, "a label value")
config_key = _syntax(_CONFIG_KEY, MAX_SUBDOMAIN, "a ConfigMap/Secret key: alphanumerics, '-', '_' and '.'")


def iana_svc_name(value: str) -> str | None:
    """A container port name (IANA_SVC_NAME): at most 15 of a-z, 0-9 and '-', with a letter, no '--'."""
    if (
        isinstance(value, str)
        and len(value) <= MAX_PORT_NAME
        and _IANA_SVC_NAME.match(value)
        and re.search("[a-z]", value)
        and "--" not in value
    ):
        return None
    return f"{value!r} is not an IANA_SVC_NAME port name: at most {MAX_PORT_NAME} of a-z, 0-9 and '-'"


def qualified_name(value: str) -> str | None:
    """A label or annotation key: an optional DNS-subdomain prefix and '/', then a name of at most 63."""
    prefix, _, name = value.rpartition("/") if isinstance(value, str) else ("", "", "")
    if _QUALIFIED_NAME.match(name) and len(name) <= MAX_LABEL and (not prefix or dns_subdomain(prefix) is None):
        return None
    return f"{value!r} is not a qualified name ([prefix/]name, name at most {MAX_LABEL} characters)"


def statefulset_name(value: str) -> str | None:
    """A DNS subdomain short enough that `<name>-<revision hash>` is still a label value."""
    limit = MAX_LABEL - 1 - REVISION_HASH
    if len(value) > limit:
        return f"{value!r} has {len(value)} characters; the controller-revision-hash label allows {limit}"
    return dns_subdomain(value)


NAME_RULES: dict[str, Rule] = {"Namespace": dns_label, "Service": dns1035_label, "StatefulSet": statefulset_name}

# Closed sets the schema leaves as plain strings: (kind or None for any, field-name suffix, allowed values);
# where several suffixes match a field, the longest decides (node selectors also take Gt and Lt).
ENUMS: tuple[tuple[str | None, tuple[str, ...], frozenset[str]], ...] = tuple(
    (kind, suffix, frozenset(values))
    for kind, suffix, values in (
        (None, ("imagePullPolicy",), ("Always", "IfNotPresent", "Never")),
        (None, ("ports", "protocol"), ("TCP", "UDP", "SCTP")),
        (None, ("whenUnsatisfiable",), ("DoNotSchedule", "ScheduleAnyway")),
        (None, ("nodeAffinityPolicy",), ("Honor", "Ignore")),
        (None, ("nodeTaintsPolicy",), ("Honor", "Ignore")),
        (None, ("seccompProfile", "type"), ("RuntimeDefault", "Localhost", "Unconfined")),
        (None, ("fsGroupChangePolicy",), ("OnRootMismatch", "Always")),
        (None, ("accessModes",), ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")),
        (None, ("volumeMode",), ("Filesystem", "Block")),
        (None, ("restartPolicy",), ("Always", "OnFailure", "Never")),
        (None, ("terminationMessagePolicy",), ("File", "FallbackToLogsOnError")),
        (None, ("matchExpressions", "operator"), ("In", "NotIn", "Exists", "DoesNotExist")),
        (None, (*NODE_TERM, "matchExpressions", "operator"), NODE_OPERATORS),
        (None, (*PREFERRED_NODE_TERM, "matchExpressions", "operator"), NODE_OPERATORS),
        (None, ("tolerations", "operator"), ("Equal", "Exists")),
        (None, ("tolerations", "effect"), ("NoSchedule", "PreferNoSchedule", "NoExecute")),
        ("StatefulSet", ("spec", "podManagementPolicy"), ("OrderedReady", "Parallel")),
        ("StatefulSet", ("spec", "updateStrategy", "type"), ("RollingUpdate", "OnDelete")),
        ("StatefulSet", ("whenDeleted",), ("Retain", "Delete")),
        ("StatefulSet", ("whenScaled",), ("Retain", "Delete")),
        ("Service", ("spec", "type"), ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")),
        ("Service", ("sessionAffinity",), ("None", "ClientIP")),
        ("Service", ("externalTrafficPolicy",), ("Cluster", "Local")),
        ("Service", ("internalTrafficPolicy",), ("Cluster", "Local")),
        ("Service", ("ipFamilyPolicy",), ("SingleStack", "PreferDualStack", "RequireDualStack")),
        ("PodDisruptionBudget", ("unhealthyPodEvictionPolicy",), ("IfHealthyBudget", "AlwaysAllow")),
    )
)

# Integer ranges the schema does not state: (field name, minimum, maximum or None).
RANGES: tuple[tuple[str, int, int | None], ...] = (
    ("containerPort", 1, 65535), ("hostPort", 1, 65535), ("port", 1, 65535), ("targetPort", 1, 65535),
    ("nodePort", 1, 65535), ("replicas", 0, None), ("maxSkew", 1, None), ("minDomains", 1, None),
    ("periodSeconds", 1, None), ("timeoutSeconds", 1, None), ("failureThreshold", 1, None),
    ("successThreshold", 1, None), ("initialDelaySeconds", 0, None), ("terminationGracePeriodSeconds", 0, None),
    ("defaultMode", 0, 0o777), ("mode", 0, 0o777), ("runAsUser", 0, None), ("runAsGroup", 0, None),
    ("fsGroup", 0, None), ("minReadySeconds", 0, None), ("revisionHistoryLimit", 0, None), ("partition", 0, None),
    ("maxUnavailable", 0, None), ("minAvailable", 0, None), ("weight", 1, 100), ("tolerationSeconds", 0, None),
)  # fmt: skip
_INT_OR_PERCENT = frozenset({"maxUnavailable", "minAvailable", "maxSurge"})
REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"


def _names(path: FieldPath) -> list[str]:
    return [part for part in path if isinstance(part, str)]


def selects(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Whether a LabelSelector (matchLabels and matchExpressions) matches `labels`; an empty one matches all."""
    selector = selector or {}
    if any(labels.get(key) != value for key, value in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
        present = key in labels
        matched = {
            "In": present and labels.get(key) in values,
            "NotIn": not present or labels.get(key) not in values,
            "Exists": present,
            "DoesNotExist": not present,
        }.get(operator, False)
        if not matched:
            return False
    return True


def names(objects: list[Manifest]) -> Iterator[str]:
    """Object names by kind, namespaces, no two objects alike, and StatefulSet pod hostnames."""
    seen: set[tuple[str, str, str, str]] = set()
    for obj in objects:
        kind, metadata = str(obj.get("kind")), obj.get("metadata") or {}
        name = str(metadata.get("name", ""))
        if problem := NAME_RULES.get(kind, dns_subdomain)(name):
            yield failure(obj, ("metadata", "name"), problem)
        namespace = metadata.get("namespace")
        if kind in CLUSTER_SCOPED and namespace is not None:
            yield failure(obj, ("metadata", "namespace"), f"a {kind} is cluster-scoped and has no namespace")
        elif namespace is not None and (problem := dns_label(str(namespace))):
            yield failure(obj, ("metadata", "namespace"), problem)
        key = (str(obj.get("apiVersion")), kind, str(namespace or ""), name)
        if key in seen:
            yield failure(obj, ("metadata", "name"), "another object has the same kind, namespace and name")
        seen.add(key)
        if kind == "StatefulSet":
            last_pod = f"{name}-{max(int(get(obj, ('spec', 'replicas')) or 1) - 1, 0)}"
            if problem := dns_label(last_pod):
                yield failure(obj, ("metadata", "name"), f"pod hostname {problem}")


def _maps(value: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, Mapping[str, Any]]]:
    if isinstance(value, Mapping):
        yield path, value
        for key, item in value.items():
            yield from _maps(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _maps(item, (*path, index))


def labels_and_annotations(objects: list[Manifest]) -> Iterator[str]:
    """Label keys and values wherever labels appear (metadata, selectors, nodeSelector), annotation keys."""
    for obj in objects:
        for path, mapping in _maps(obj):
            keys = _names(path)
            is_labels = keys[-2:] == ["metadata", "labels"] or keys[-1:] in (["matchLabels"], ["nodeSelector"])
            if is_labels or (obj.get("kind") == "Service" and keys == ["spec", "selector"]):
                for key, value in mapping.items():
                    if problem := qualified_name(key):
                        yield failure(obj, (*path, key), f"label key {problem}")
                    if problem := label_value(value):
                        yield failure(obj, (*path, key), problem)
            elif keys[-2:] == ["metadata", "annotations"]:
                for key in mapping:
                    if problem := qualified_name(key):
                        yield failure(obj, (*path, key), f"annotation key {problem}")
                size = sum(len(str(key)) + len(str(value)) for key, value in mapping.items())
                if size > MAX_ANNOTATIONS_BYTES:
                    yield failure(obj, path, f"annotations hold {size} bytes; at most {MAX_ANNOTATIONS_BYTES}")


def enums_and_ranges(objects: list[Manifest]) -> Iterator[str]:
    """Closed sets and integer ranges that the schema states only in prose."""
    for obj in objects:
        kind = obj.get("kind")
        for path, value in leaves(obj):
            keys = _names(path)
            matching = [
                (suffix, allowed)
                for enum_kind, suffix, allowed in ENUMS
                if enum_kind in (None, kind) and keys[-len(suffix) :] == list(suffix)
            ]
            if matching:
                _, allowed = max(matching, key=lambda rule: len(rule[0]))
                if value not in allowed:
                    yield failure(obj, path, f"{value!r} is not one of {', '.join(sorted(allowed))}")
            yield from _range_problems(obj, path, keys[-1:], value)


def _range_problems(obj: Manifest, path: FieldPath, last: list[str], value: Any) -> Iterator[str]:
    for name, minimum, maximum in RANGES:
        if last != [name]:
            continue
        if name in _INT_OR_PERCENT and isinstance(value, str):
            if not _PERCENT.match(value):
                yield failure(obj, path, f"{value!r} is neither an integer nor a percentage")
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and (value < minimum or (maximum is not None and value > maximum))
        ):
            yield failure(obj, path, f"{value} is outside {minimum}..{maximum if maximum is not None else ''}")


def ports(objects: list[Manifest]) -> Iterator[str]:
    """Container port names (IANA_SVC_NAME, unique in the pod) and Service ports (named, unique)."""
    for pod in pod_templates(objects):
        seen: set[str] = set()
        for path, container in pod.containers():
            for index, port in enumerate(container.get("ports") or []):
                name = port.get("name")
                if name is None:
                    continue
                if problem := iana_svc_name(name):
                    yield failure(pod.owner, (*path, "ports", index, "name"), problem)
                if name in seen:
                    yield failure(pod.owner, (*path, "ports", index, "name"), f"{name!r} names two ports of the pod")
                seen.add(name)
    for service in (obj for obj in objects if obj.get("kind") == "Service"):
        service_ports = get(service, ("spec", "ports")) or []
        seen = set()
        for index, port in enumerate(service_ports):
            name, target = port.get("name"), port.get("targetPort")
            if name is None and len(service_ports) > 1:
                yield failure(service, ("spec", "ports", index, "name"), "required when a Service has several ports")
            elif name is not None and (problem := dns_label(name)):
                yield failure(service, ("spec", "ports", index, "name"), problem)
            if name in seen:
                yield failure(service, ("spec", "ports", index, "name"), f"{name!r} names two ports")
            seen.add(name)
            if isinstance(target, str) and (problem := iana_svc_name(target)):
                yield failure(service, ("spec", "ports", index, "targetPort"), problem)


PROBES = ("startupProbe", "livenessProbe", "readinessProbe")
HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


def probes(objects: list[Manifest]) -> Iterator[str]:
    """One handler per probe; a named probe port is a port of the same container."""
    for pod in pod_templates(objects):
        for path, container in pod.containers():
            declared = {port.get("name") for port in container.get("ports") or []}
            for probe_name in PROBES:
                probe = container.get(probe_name)
                if probe is None:
                    continue
                handlers = [handler for handler in HANDLERS if handler in probe]
                if len(handlers) != 1:
                    yield failure(pod.owner, (*path, probe_name), f"needs exactly one of {', '.join(HANDLERS)}")
                for handler in handlers:
                    port = (probe.get(handler) or {}).get("port")
                    if isinstance(port, str) and port not in declared:
                        yield failure(
                            pod.owner, (*path, probe_name, handler, "port"),
                            f"{port!r} names no port of container {container.get('name')!r}",
                        )  # fmt: skip
                if probe_name != "readinessProbe" and probe.get("successThreshold", 1) != 1:
                    yield failure(pod.owner, (*path, probe_name, "successThreshold"), "must be 1")


def selectors(objects: list[Manifest]) -> Iterator[str]:
    """Workload, Service, PodDisruptionBudget, spread and NetworkPolicy selectors select the pods they mean."""
    pods = pod_templates(objects)
    for pod in pods:
        yield from _workload_selector(pod)
    for service in (obj for obj in objects if obj.get("kind") == "Service"):
        yield from _service_selector(service, pods)
    yield from _budget_selectors([obj for obj in objects if obj.get("kind") == "PodDisruptionBudget"], pods)
    for policy in (obj for obj in objects if obj.get("kind") == "NetworkPolicy"):
        selector = get(policy, ("spec", "podSelector"))
        if not _selected(pods, _namespace(policy), selector):
            yield failure(policy, ("spec", "podSelector"), "selects no pods")


def _generated_selector(owner: Manifest) -> bool:
    """A Job (or a CronJob's Job) gets its selector from the API server unless it sets manualSelector."""
    spec_path = {"Job": ("spec",), "CronJob": ("spec", "jobTemplate", "spec")}.get(str(owner.get("kind")))
    return spec_path is not None and not get(owner, (*spec_path, "manualSelector"))


def _namespace(obj: Manifest) -> str:
    return str((obj.get("metadata") or {}).get("namespace", ""))


def _selected(pods: list[PodTemplate], namespace: str, selector: Mapping[str, Any] | None) -> list[PodTemplate]:
    return [
        pod
        for pod in pods
        if pod.namespace == namespace and any(selects(selector, labels) for labels in pod.pod_labels())
    ]


def _workload_selector(pod: PodTemplate) -> Iterator[str]:
    selector = get(pod.owner, ("spec", "selector"))
    generated = pod.owner.get("kind") == "Pod" or _generated_selector(pod.owner)
    if not selector and not generated:
        yield failure(pod.owner, ("spec", "selector"), "is required and must not be empty")
    elif selector and not selects(selector, pod.labels):
        yield failure(pod.owner, ("spec", "selector"), f"does not match the pod template's labels {pod.labels}")
    for index, constraint in enumerate(get(pod.template, ("spec", "topologySpreadConstraints")) or []):
        if not selects(constraint.get("labelSelector"), pod.labels):
            path = (*pod.path, "spec", "topologySpreadConstraints", index, "labelSelector")
            yield failure(pod.owner, path, "does not select the pods it spreads (the template's labels)")


def _service_selector(service: Manifest, pods: list[PodTemplate]) -> Iterator[str]:
    selector = get(service, ("spec", "selector"))
    if not selector:
        return
    selected = _selected(pods, _namespace(service), {"matchLabels": selector})
    if not selected:
        yield failure(service, ("spec", "selector"), f"selects no pods of the rendered workloads: {selector}")
        return
    headless = get(service, ("spec", "clusterIP")) == "None"
    for index, port in enumerate(get(service, ("spec", "ports")) or []):
        target = port.get("targetPort")
        if not isinstance(target, str):
            continue
        without = sorted(identity(pod.owner) for pod in selected if target not in pod.port_names)
        if len(without) == len(selected):
            yield failure(service, ("spec", "ports", index, "targetPort"), f"{target!r} is a port of no selected pod")
        elif without and not headless:  # a load-balancing Service should select only pods that serve it
            problem = f"also selects pods without port {target!r}: {', '.join(without)}"
            yield failure(service, ("spec", "selector"), problem)


def _budget_selectors(budgets: list[Manifest], pods: list[PodTemplate]) -> Iterator[str]:
    covered: dict[str, str] = {}
    for budget in budgets:
        selected = _selected(pods, _namespace(budget), get(budget, ("spec", "selector")))
        owners = sorted({identity(pod.owner) for pod in selected})
        if not selected:
            yield failure(budget, ("spec", "selector"), "selects no pods")
        elif len(owners) > 1:
            yield failure(budget, ("spec", "selector"), f"selects the pods of several workloads: {', '.join(owners)}")
        for owner in owners:
            if owner in covered:
                yield failure(
                    budget, ("spec", "selector"),
                    f"also selects {owner}, which {covered[owner]} covers; eviction fails for a pod with two budgets",
                )  # fmt: skip
            covered.setdefault(owner, identity(budget))


def volumes(objects: list[Manifest]) -> Iterator[str]:
    """Volume names, mounts that resolve to a volume or claim template, ConfigMaps/Secrets that exist."""
    stored = _stored_files(objects)
    for pod in pod_templates(objects):
        volumes_ = pod.spec.get("volumes") or []
        claims = [get(claim, ("metadata", "name")) for claim in get(pod.owner, ("spec", "volumeClaimTemplates")) or []]
        defined = [volume.get("name") for volume in volumes_] + claims
        for index, name in enumerate(defined):
            if index < len(volumes_):
                where: FieldPath = (*pod.path, "spec", "volumes", index)
            else:
                where = ("spec", "volumeClaimTemplates", index - len(volumes_), "metadata")
            if problem := dns_label(str(name)):
                yield failure(pod.owner, (*where, "name"), problem)
            if defined.count(name) > 1:
                yield failure(pod.owner, (*where, "name"), f"{name!r} names two volumes")
        for index, volume in enumerate(volumes_):
            yield from _volume_source(pod, index, volume, stored)
        for path, container in pod.containers():
            yield from _mounts(pod.owner, path, container, defined)
    for obj in objects:
        for index, claim in enumerate(get(obj, ("spec", "volumeClaimTemplates")) or []):
            yield from _claim(obj, ("spec", "volumeClaimTemplates", index), claim)


def _mounts(owner: Manifest, path: FieldPath, container: Manifest, defined: list[Any]) -> Iterator[str]:
    """Each mount names a volume or claim template, at an absolute path used once in the container."""
    mount_paths: set[str] = set()
    for index, mount in enumerate(container.get("volumeMounts") or []):
        if mount.get("name") not in defined:
            problem = f"{mount.get('name')!r} is neither a volume nor a volumeClaimTemplate"
            yield failure(owner, (*path, "volumeMounts", index, "name"), problem)
        mount_path = str(mount.get("mountPath", ""))
        if not mount_path.startswith("/") or mount_path in mount_paths:
            problem = f"{mount_path!r} must be absolute and mounted once per container"
            yield failure(owner, (*path, "volumeMounts", index, "mountPath"), problem)
        mount_paths.add(mount_path)


def _claim(owner: Manifest, path: FieldPath, claim: Manifest) -> Iterator[str]:
    if get(claim, ("spec", "resources", "requests", "storage")) is None:
        yield failure(owner, (*path, "spec", "resources", "requests", "storage"), "is required")
    storage_class = get(claim, ("spec", "storageClassName"))
    if storage_class and (problem := dns_subdomain(storage_class)):
        yield failure(owner, (*path, "spec", "storageClassName"), problem)


def _stored_files(objects: list[Manifest]) -> dict[tuple[str, str, str], set[str]]:
    """(kind, namespace, name) of every ConfigMap and Secret, with its keys."""
    return {
        (str(obj["kind"]), _namespace(obj), str(get(obj, ("metadata", "name")))): {
            str(key) for field in ("data", "binaryData", "stringData") for key in obj.get(field) or {}
        }
        for obj in objects
        if obj.get("kind") in ("ConfigMap", "Secret")
    } | {  # the Secret a cert-manager Certificate keeps issued
        ("Secret", _namespace(obj), str(get(obj, ("spec", "secretName")))): {"tls.key", "tls.crt", "ca.crt"}
        for obj in objects
        if obj.get("kind") == "Certificate"
    }


_SOURCES = {"configMap": ("ConfigMap", "name"), "secret": ("Secret", "secretName")}


def _volume_source(
    pod: PodTemplate, index: int, volume: Manifest, stored: dict[tuple[str, str, str], set[str]]
) -> Iterator[str]:
    for source_field, (kind, name_field) in _SOURCES.items():
        source = volume.get(source_field)
        if source is None or source.get("optional"):
            continue
        path = (*pod.path, "spec", "volumes", index, source_field)
        keys = stored.get((kind, pod.namespace, str(source.get(name_field))))
        if keys is None:
            yield failure(pod.owner, (*path, name_field), f"no {kind} {source.get(name_field)!r} is rendered")
            continue
        for item_index, item in enumerate(source.get("items") or []):
            if item.get("key") not in keys:
                yield failure(pod.owner, (*path, "items", item_index, "key"), f"{item.get('key')!r} is not a key")


def file_references(objects: list[Manifest]) -> Iterator[str]:
    """Paths under a mounted ConfigMap or Secret (in commands, args, env values, exec probes) name a key."""
    stored = _stored_files(objects)
    for pod in pod_templates(objects):
        mounted = _mounted_keys(pod, stored)
        for path, container in pod.containers():
            for field_path, text in _container_strings(container):
                for reference in _ABSOLUTE_PATH.findall(text):
                    for mount_path, keys in mounted.items():
                        key = reference.removeprefix(f"{mount_path}/")
                        if key != reference and key.split("/")[0] not in keys:
                            yield failure(
                                pod.owner, (*path, *field_path), f"{reference} is not a key under {mount_path}"
                            )


def _mounted_keys(pod: PodTemplate, stored: dict[tuple[str, str, str], set[str]]) -> dict[str, set[str]]:
    """Mount path -> keys, for ConfigMap and Secret volumes mounted whole."""
    sources = {
        volume.get("name"): stored.get((kind, pod.namespace, str(volume[field].get(name_field))))
        for volume in pod.spec.get("volumes") or []
        for field, (kind, name_field) in _SOURCES.items()
        if field in volume and not volume[field].get("items")
    }
    return {
        str(mount["mountPath"]).rstrip("/"): keys
        for _, container in pod.containers()
        for mount in container.get("volumeMounts") or []
        if (keys := sources.get(mount.get("name"))) is not None and not mount.get("subPath")
    }


def _container_strings(container: Manifest) -> Iterator[tuple[FieldPath, str]]:
    for field in ("command", "args"):
        for index, text in enumerate(container.get(field) or []):
            yield (field, index), str(text)
    for index, variable in enumerate(container.get("env") or []):
        if isinstance(variable.get("value"), str):
            yield ("env", index, "value"), variable["value"]
    for probe in PROBES:
        for index, text in enumerate(get(container, (probe, "exec", "command")) or []):
            yield (probe, "exec", "command", index), str(text)


def service_names(objects: list[Manifest]) -> Iterator[str]:
    """A StatefulSet's serviceName is a headless Service that publishes not-ready pods and selects them."""
    services = {
        (_namespace(obj), get(obj, ("metadata", "name"))): obj for obj in objects if obj.get("kind") == "Service"
    }
    for pod in pod_templates(objects):
        if pod.owner.get("kind") != "StatefulSet":
            continue
        name = get(pod.owner, ("spec", "serviceName"))
        service = services.get((pod.namespace, name))
        path = ("spec", "serviceName")
        if service is None:
            yield failure(pod.owner, path, f"no Service {name!r} is rendered in namespace {pod.namespace!r}")
            continue
        if get(service, ("spec", "clusterIP")) != "None":
            yield failure(pod.owner, path, f"Service {name!r} is not headless (clusterIP: None)")
        if get(service, ("spec", "publishNotReadyAddresses")) is not True:
            yield failure(pod.owner, path, f"Service {name!r} does not set publishNotReadyAddresses: true")
        selector = get(service, ("spec", "selector"))
        if not selector or not selects({"matchLabels": selector}, pod.labels):
            yield failure(pod.owner, path, f"Service {name!r} does not select this StatefulSet's pods")


def resources(objects: list[Manifest]) -> Iterator[str]:
    """No container requests more than its limit."""
    for pod in pod_templates(objects):
        for path, container in pod.containers():
            requests = get(container, ("resources", "requests")) or {}
            limits = get(container, ("resources", "limits")) or {}
            for resource in requests.keys() & limits.keys():
                try:
                    above = quantity(requests[resource]) > quantity(limits[resource])
                except (ValueError, TypeError):
                    continue  # gate 2 reports quantities that do not parse
                if above:
                    problem = f"{requests[resource]} is above limits.{resource} ({limits[resource]})"
                    yield failure(pod.owner, (*path, "resources", "requests", resource), problem)


def stored_data(objects: list[Manifest]) -> Iterator[str]:
    """ConfigMap and Secret keys, and their size limit."""
    for obj in (obj for obj in objects if obj.get("kind") in ("ConfigMap", "Secret")):
        size = 0
        for field in ("data", "binaryData", "stringData"):
            for key, value in (obj.get(field) or {}).items():
                if problem := config_key(key):
                    yield failure(obj, (field, key), problem)
                size += len(str(key)) + len(str(value).encode())
        if size > MAX_CONFIG_BYTES:
            yield failure(obj, ("data",), f"holds {size} bytes; at most {MAX_CONFIG_BYTES}")


_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")  # IsEnvVarName before relaxed names (Kubernetes 1.30)


def _toleration(toleration: Manifest) -> Iterator[tuple[FieldPath, str]]:
    key, operator, value = toleration.get("key", ""), toleration.get("operator", "Equal"), toleration.get("value", "")
    if key and (problem := qualified_name(key)):
        yield ("key",), f"label key {problem}"
    if not key and operator != "Exists":
        yield ("operator",), "must be Exists when key is empty"
    if operator == "Exists" and value:
        yield ("value",), "must be empty when operator is Exists"
    if operator == "Equal" and (problem := label_value(value)):
        yield ("value",), problem
    if "tolerationSeconds" in toleration and toleration.get("effect") != "NoExecute":
        yield ("effect",), "must be NoExecute when tolerationSeconds is set"


def _requirement(requirement: Manifest) -> Iterator[tuple[FieldPath, str]]:
    """A node or label selector requirement: its key, and the values its operator takes."""
    operator, values = requirement.get("operator"), requirement.get("values") or []
    if problem := qualified_name(str(requirement.get("key", ""))):
        yield ("key",), f"label key {problem}"
    if operator in ("In", "NotIn") and not values:
        yield ("values",), f"must be non-empty when operator is {operator}"
    if operator in ("Exists", "DoesNotExist") and values:
        yield ("values",), f"must be empty when operator is {operator}"
    if operator in ("Gt", "Lt") and len(values) != 1:
        yield ("values",), f"must be a single value when operator is {operator}"
    for index, value in enumerate(values):
        if problem := label_value(value):
            yield ("values", index), problem


def _affinity_terms(affinity: Manifest) -> Iterator[tuple[FieldPath, Manifest]]:
    """(path, term) of every node selector term and pod affinity term in an affinity."""
    for kind in ("podAffinity", "podAntiAffinity"):
        for index, term in enumerate(get(affinity, (kind, REQUIRED)) or []):
            yield (kind, REQUIRED, index), term
        for index, term in enumerate(get(affinity, (kind, PREFERRED)) or []):
            yield (kind, PREFERRED, index, "podAffinityTerm"), term.get("podAffinityTerm") or {}
    for index, term in enumerate(get(affinity, ("nodeAffinity", REQUIRED, "nodeSelectorTerms")) or []):
        yield ("nodeAffinity", REQUIRED, "nodeSelectorTerms", index), term
    for index, term in enumerate(get(affinity, ("nodeAffinity", PREFERRED)) or []):
        yield ("nodeAffinity", PREFERRED, index, "preference"), term.get("preference") or {}


def _term(term: Manifest) -> Iterator[tuple[FieldPath, str]]:
    """A pod affinity term (topology key and label selector) or a node selector term."""
    selector: Manifest = term
    at: FieldPath = ()
    if "topologyKey" in term or "labelSelector" in term:
        if problem := qualified_name(str(term.get("topologyKey", ""))):
            yield ("topologyKey",), f"required: label key {problem}"
        selector, at = term.get("labelSelector") or {}, ("labelSelector",)
    elif not term.get("matchExpressions") and not term.get("matchFields"):
        yield (), "a node selector term needs matchExpressions or matchFields"
    for index, requirement in enumerate(selector.get("matchExpressions") or []):
        for path, problem in _requirement(requirement):
            yield (*at, "matchExpressions", index, *path), problem


def scheduling(objects: list[Manifest]) -> Iterator[str]:
    """Tolerations, affinity terms and their selectors, as the API server validates them."""
    for pod in pod_templates(objects):
        where = (*pod.path, "spec")
        for index, toleration in enumerate(pod.spec.get("tolerations") or []):
            for path, problem in _toleration(toleration):
                yield failure(pod.owner, (*where, "tolerations", index, *path), problem)
        for term_path, term in _affinity_terms(pod.spec.get("affinity") or {}):
            for path, problem in _term(term):
                yield failure(pod.owner, (*where, "affinity", *term_path, *path), problem)


def pod_references(objects: list[Manifest]) -> Iterator[str]:
    """Names a pod refers to (priority class, service account, pull secrets) and its env variable names."""
    for pod in pod_templates(objects):
        where = (*pod.path, "spec")
        for field in ("priorityClassName", "serviceAccountName"):
            if field in pod.spec and (problem := dns_subdomain(str(pod.spec[field]))):
                yield failure(pod.owner, (*where, field), problem)
        for index, secret in enumerate(pod.spec.get("imagePullSecrets") or []):
            if problem := dns_subdomain(str(secret.get("name", ""))):
                yield failure(pod.owner, (*where, "imagePullSecrets", index, "name"), problem)
        for path, container in pod.containers():
            seen: set[str] = set()
            for index, variable in enumerate(container.get("env") or []):
                name = str(variable.get("name", ""))
                if not _ENV_NAME.match(name):
                    yield failure(pod.owner, (*path, "env", index, "name"), f"{name!r} is not a valid env var name")
                if name in seen:
                    yield failure(pod.owner, (*path, "env", index, "name"), f"{name!r} is set twice")
                seen.add(name)


CHECKS: tuple[Callable[[list[Manifest]], Iterator[str]], ...] = (
    names, labels_and_annotations, enums_and_ranges, ports, probes, selectors, volumes, file_references,
    service_names, resources, stored_data, scheduling, pod_references,
)  # fmt: skip


def api_rules(objects: Iterable[Manifest]) -> list[str]:
    """Gate 3: every API-server rule above, over all objects together (selectors span objects)."""
    listed = list(objects)
    return [problem for check in CHECKS for problem in check(listed)]
