"""The package's public args mirror the spec: same camelCase keys, same closed sets, same required keys.

package_types.py is generated from the spec (kraft_component/codegen.py); these tests check what the generator
writes, independently of it, and tests/test_generated.py that the file is fresh.
"""

import inspect
from enum import Enum
from types import UnionType
from typing import Any, NotRequired, TypedDict, Union, get_args, get_origin, is_typeddict

import pulumi
from pulumi.provider.experimental.component import ComponentProvider
from pydantic import BaseModel
from pydantic.alias_generators import to_camel

from kraft_component import package_types, public_args, spec
from kraft_component.codegen import shape
from kraft_component.component import KraftClusterArgs
from kraft_component.evaluation import evaluate


def keys_of(typed: Any) -> dict[str, Any]:
    """The keys of a TypedDict and their types, NotRequired removed (`__required_keys__` keeps that)."""
    return {key: unwrapped(value) for key, value in inspect.get_annotations(typed).items()}


def unwrapped(annotation: Any) -> Any:
    """The type inside `NotRequired[...]`."""
    origin: Any = get_origin(annotation)
    return get_args(annotation)[0] if origin is NotRequired else annotation


def mirror_problems(model: type[BaseModel], typed: Any, path: str) -> list[str]:
    """How the TypedDict `typed` differs from the spec model `model`, one line per key."""
    fields = {field.alias or name: field for name, field in model.model_fields.items()}
    keys = keys_of(typed)
    public = f"package_types.{typed.__name__}"
    problems = [f"{path}.{key}: in {model.__name__}, missing from {public}" for key in fields.keys() - keys]
    problems += [f"{path}.{key}: in {public}, not in {model.__name__}" for key in keys.keys() - fields]
    for key in [key for key in fields if key in keys]:
        if fields[key].is_required() != (key in typed.__required_keys__):
            wanted = "required" if fields[key].is_required() else "NotRequired (the spec has a default)"
            problems.append(f"{path}.{key}: should be {wanted} in {public}")
        problems += type_problems(shape(fields[key].annotation), keys[key], f"{path}.{key}")
    return problems


def type_problems(expected: Any, actual: Any, path: str) -> list[str]:
    """How the public type `actual` differs from the spec type `expected`."""
    mismatch = [f"{path}: {actual} in package_types, {expected} in the spec"]
    if get_origin(expected) in (Union, UnionType):  # a value of several types (kafkaConfig's): the analyzer takes Any
        return [] if actual is Any else mismatch
    if isinstance(expected, type) and issubclass(expected, BaseModel):
        return mirror_problems(expected, actual, path) if is_typeddict(actual) else mismatch
    if get_origin(expected) in (list, dict):
        if get_origin(actual) is not get_origin(expected):
            return mismatch
        suffix = "[]" if get_origin(expected) is list else "{}"
        pairs = zip(get_args(expected), get_args(actual), strict=True)
        return [problem for inner, public in pairs for problem in type_problems(shape(inner), public, path + suffix)]
    if isinstance(expected, type) and issubclass(expected, Enum):
        values = {member.value for member in expected}
        same = isinstance(actual, type) and issubclass(actual, Enum) and {member.value for member in actual} == values
        in_collection = path.endswith(("[]", "{}"))  # enum items of a list or map are strings: codegen.enum_items
        return [] if same or (actual is str and in_collection) else mismatch
    return [] if actual is expected else mismatch


def test_package_args_are_the_python_args_in_camel_case() -> None:
    python_args = inspect.signature(KraftClusterArgs).parameters
    assert list(keys_of(public_args.PackageArgs)) == [to_camel(name) for name in python_args]


def test_public_args_mirror_every_key_of_the_spec() -> None:
    spec_args = keys_of(public_args.PackageArgs)["spec"]
    assert mirror_problems(spec.ClusterSpec, spec_args, "spec") == []


class _GrownQuorum(spec.Quorum):
    """The spec after it gained a key, and made one required."""

    voters: int = 3
    mode: spec.QuorumMode


def test_a_key_the_spec_gains_is_named_with_the_typeddict_it_belongs_in() -> None:
    assert sorted(mirror_problems(_GrownQuorum, package_types.Quorum, "spec.quorum")) == [
        "spec.quorum.mode: should be required in package_types.Quorum",
        "spec.quorum.voters: in _GrownQuorum, missing from package_types.Quorum",
    ]


class _ProbeArgs(TypedDict):
    roles: list[spec.Role]
    levels: dict[str, spec.LogLevel]


_probed: list[Any] = []


class Probe(pulumi.ComponentResource):
    """Records the args the component provider hands it."""

    def __init__(self, name: str, args: _ProbeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("probe:index:Probe", name, None, opts)
        _probed.append((args["roles"], args["levels"]))


def test_the_sdk_still_loses_enum_items_of_lists_and_maps_so_they_stay_strings() -> None:
    provider = ComponentProvider([Probe], "probe")
    inputs = {"roles": ["broker"], "levels": {"kafka": "DEBUG"}}
    evaluate(lambda: provider.construct("probe", "probe:index:Probe", inputs, None).urn)
    assert _probed == [([{}], {"kafka": {}})], (
        "pulumi maps enum items of lists and maps now: type them as their enums (codegen.enum_items)"
    )
