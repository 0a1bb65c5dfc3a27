"""Gates 1 and 2: the Kubernetes OpenAPI schema (strict), the kubernetes client's models, and quantities."""

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

import jsonschema
import pydantic
from kubernetes import client
from kubernetes_validate import utils as kv_utils
from referencing import Registry, Resource

from . import FieldPath, Manifest, failure, is_custom_resource, leaves, quantity

SUPPORTED_KUBERNETES = ("1.30", "1.37")
"""The oldest and newest Kubernetes minor versions the manifests must be valid for."""


def schema_validator(kubernetes_version: str, api_version: str, kind: str) -> jsonschema.protocols.Validator:
    """The strict schema of a kind, from kubernetes-validate's files, found as `kubernetes_validate.validate`
    finds it; KeyError when kubernetes-validate has no schema for it."""
    return _validator(kubernetes_version, re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version), kind.lower())


@cache
def _validator(kubernetes_version: str, group_version: str, kind: str) -> jsonschema.protocols.Validator:
    released = [v for v in kv_utils.all_versions() if kv_utils.major_minor(v) == kubernetes_version]
    if not released:
        raise KeyError(f"kubernetes-validate has no schemas for Kubernetes {kubernetes_version}")
    folder = f"kubernetes-json-schema/v{released[-1]}-local-strict"
    try:
        schema = kv_utils.schema_contents(f"{folder}/{kind}-{group_version}.json", kubernetes_version)
    except FileNotFoundError:
        raise KeyError(f"kubernetes-validate has no {kubernetes_version} schema for {kind} {group_version}") from None
    definitions = kv_utils.schema_contents(f"{folder}/_definitions.json", kubernetes_version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def openapi(objects: Iterable[Manifest], version: str) -> list[str]:
    """Gate 1: each object against the strict OpenAPI schema of Kubernetes `version` (unknown fields fail).

    The schemas and validator class are those of `kubernetes_validate.validate(obj, version, strict=True)`,
    built once per kind instead of per call, and every error is reported, not just the first
    (tests/test_gates.py checks the verdicts agree)."""
    failures = []
    for obj in (obj for obj in objects if not is_custom_resource(obj)):
        try:
            validator = schema_validator(version, str(obj.get("apiVersion")), str(obj.get("kind")))
        except KeyError as missing:
            failures.append(failure(obj, ("apiVersion",), str(missing.args[0])))
            continue
        for error in sorted(validator.iter_errors(obj), key=lambda e: [str(part) for part in e.absolute_path]):
            failures.append(failure(obj, error.absolute_path, f"{error.message} (Kubernetes {version} schema)"))
    return failures


def model_class(obj: Manifest) -> type[pydantic.BaseModel] | None:
    """The kubernetes client model of an object: `V1StatefulSet` for apps/v1 StatefulSet."""
    version = str(obj.get("apiVersion", "")).rsplit("/", 1)[-1]
    model = getattr(client, f"{version[:1].upper()}{version[1:]}{obj.get('kind', '')}", None)
    return model if isinstance(model, type) and issubclass(model, pydantic.BaseModel) else None


def client_models(objects: Iterable[Manifest]) -> list[str]:
    """Gate 2a: each object loads into its kubernetes client model, which lists every type error at once."""
    failures = []
    for obj in (obj for obj in objects if not is_custom_resource(obj)):
        model = model_class(obj)
        if model is None:
            failures.append(failure(obj, ("kind",), f"no kubernetes client model for {obj.get('apiVersion')}"))
            continue
        try:
            model.model_validate(obj)
        except pydantic.ValidationError as error:
            failures.extend(failure(obj, problem["loc"], problem["msg"]) for problem in error.errors())
    return failures


def is_quantity_field(path: FieldPath) -> bool:
    """Whether the field at `path` holds a resource quantity (requests, limits, sizes)."""
    names = [part for part in path if isinstance(part, str)]
    return names[-1:] == ["sizeLimit"] or names[-3:-1] in (["resources", "requests"], ["resources", "limits"])


def quantities(objects: Iterable[Manifest]) -> list[str]:
    """Gate 2b: every requests/limits/size value is a Kubernetes quantity (`4Gii` is not)."""
    failures = []
    for obj in objects:
        for path, value in leaves(obj):
            if is_quantity_field(path) and (problem := quantity_problem(value)):
                failures.append(failure(obj, path, problem))
    return failures


# The API server's grammar (apimachinery resource.ParseQuantity); the client's parse_quantity is looser
# (it takes Python Decimal syntax: "NaN", "1_000", " 1 "), so both must accept a value.
_API_QUANTITY = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$")


def quantity_problem(value: Any) -> str | None:
    """Why `value` is not a non-negative Kubernetes quantity, or None."""
    try:
        parsed = quantity(value)
    except (ValueError, TypeError):
        return f"{value!r} is not a Kubernetes quantity (kubernetes.utils.parse_quantity)"
    if isinstance(value, str) and not _API_QUANTITY.match(value):
        return f"{value!r} is not a Kubernetes quantity (the API server's grammar)"
    if parsed < 0:
        return f"{value!r} is negative"
    return None
