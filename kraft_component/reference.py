"""The configuration reference, made from the spec's models: JSON Schemas for editors, Markdown for readers.

Everything a reader or an editor learns about a key (its type, default, limits and meaning) comes from the
pydantic models of spec.py and the stack keys of stack.py, so a field added there appears here without any
change to this module. `bin/generate` writes the results into the repository.
"""

import inspect
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import CoreSchema, core_schema, to_jsonable_python

from . import stack
from .spec import ClusterSpec

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ROOT_PATH = stack.CLUSTER_KEY


class _Schema(GenerateJsonSchema):
    """Pydantic's JSON Schema with the value of every default factory, and without the titles it makes up
    from field names (an editor shows a type's own title instead, such as 'Kubernetes quantity')."""

    def field_title_should_be_set(self, schema: CoreSchema) -> bool:
        return False

    def get_default_value(self, schema: core_schema.WithDefaultSchema) -> Any:
        factory = schema.get("default_factory")
        if factory is not None and not schema.get("default_factory_takes_data"):
            return factory()  # type: ignore[call-arg]
        return super().get_default_value(schema)


def cluster_schema() -> JsonSchemaValue:
    """The JSON Schema of a `kraft:cluster` value."""
    schema = ClusterSpec.model_json_schema(by_alias=True, schema_generator=_Schema)
    return {"$schema": JSON_SCHEMA_DIALECT, **schema, "title": ROOT_PATH}


def stack_file_schema() -> JsonSchemaValue:
    """The JSON Schema of this project's stack files: Pulumi's keys, with `config` holding the kraft namespace's
    keys (and any other namespace's), `kraft:cluster` required and checked as cluster_schema checks it."""
    cluster = cluster_schema()
    definitions = cluster.pop("$defs")
    del cluster["$schema"]
    namespace = stack.CONFIG_NAMESPACE
    secret = {"$ref": "#/$defs/Secret"}
    user_name = definitions["User"]["properties"]["name"]["pattern"]
    password = f"password-{user_name.removeprefix('^').removesuffix('$')}"
    descriptions = dict(stack.STACK_KEYS)
    keys = {
        "cluster": {"$ref": "#/$defs/ClusterSpec", "description": descriptions[stack.CLUSTER_KEY]},
        "clusterId": {**secret, "description": descriptions[stack.CLUSTER_ID_KEY]},
    }
    config = {
        "type": "object",
        "description": "Config values by key; keys without a namespace belong to the project.",
        "properties": {
            **{f"{namespace}:{key}": value for key, value in keys.items()},
            **keys,
        },
        "patternProperties": {
            f"^({namespace}:)?{password}$": {**secret, "description": descriptions[stack.PASSWORD_KEYS]}
        },
        "propertyNames": {
            "anyOf": [
                {"pattern": "^[^:]+:", "not": {"pattern": f"^{namespace}:"}},
                {"enum": [*keys, *(f"{namespace}:{key}" for key in keys)]},
                {"pattern": f"^({namespace}:)?{password}$"},
            ],
        },
        "anyOf": [{"required": [stack.CLUSTER_KEY]}, {"required": ["cluster"]}],
    }
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": f"Pulumi stack file of the {namespace} project",
        "type": "object",
        "properties": {
            "config": config,
            "secretsprovider": {"type": "string"},
            "encryptedkey": {"type": "string"},
            "encryptionsalt": {"type": "string"},
            "environment": {},
        },
        "required": ["config"],
        "additionalProperties": False,
        "$defs": {
            **definitions,
            "ClusterSpec": cluster,
            "Secret": {
                "title": "secret",
                "description": "A value, or its encrypted form as `pulumi config set --secret` writes it.",
                "anyOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "properties": {"secure": {"type": "string"}},
                        "required": ["secure"],
                        "additionalProperties": False,
                    },
                ],
            },
        },
    }


@dataclass(frozen=True)
class Section:
    """A model of the spec and the key paths it is found at (`pools[].resources`)."""

    model: type[BaseModel]
    paths: tuple[str, ...]

    @property
    def heading(self) -> str:
        """The Markdown heading text."""
        return ", ".join(f"`{path}`" for path in self.paths)

    @property
    def anchor(self) -> str:
        """The heading's anchor, as GitHub makes it."""
        return slug(self.heading)


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def key_name(name: str, field: FieldInfo) -> str:
    """A field's key in the config: its camelCase alias."""
    return field.alias or name


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models inside an annotation: `Model`, `list[Model]`, `Model | None`, `dict[str, Model]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for argument in getattr(annotation, "__args__", ()) for model in models_in(argument)]


def child_path(path: str, key: str, field: FieldInfo) -> str:
    """The path of a key below `path`, with `[]` for a list's entries (`pools[]`)."""
    prefix = "" if path == ROOT_PATH else f"{path}."
    return f"{prefix}{key}{'[]' if getattr(field.annotation, '__origin__', None) is list else ''}"


def sections(model: type[BaseModel] = ClusterSpec) -> list[Section]:
    """Every model under `model` once, depth first in field order, with every path it is found at."""
    paths: dict[type[BaseModel], list[str]] = {}

    def walk(model: type[BaseModel], path: str) -> None:
        first = model not in paths
        paths.setdefault(model, []).append(path)
        for name, field in model.model_fields.items() if first else ():
            for inner in models_in(field.annotation):
                walk(inner, child_path(path, key_name(name, field), field))

    walk(model, ROOT_PATH)
    return [Section(model, tuple(found)) for model, found in paths.items()]


def plain(value: Any) -> Any:
    """A default as it would be written in a stack file: models without their own defaults, enums as values."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    return to_jsonable_python(value)


def flow_yaml(value: Any) -> str:
    """`value` as YAML on one line, the way a stack file could write it."""
    text = yaml.safe_dump(value, default_flow_style=True, width=1 << 16, sort_keys=False)
    return text.removesuffix("\n...\n").strip()


def default_text(field: FieldInfo) -> str | None:
    """A field's default as YAML, or None when it has none (required, or unset by default)."""
    if field.is_required():
        return None
    value = field.get_default(call_default_factory=True)
    return None if value is None else flow_yaml(plain(value))


def docstring(model: type[BaseModel]) -> str:
    """A model's docstring as one paragraph."""
    return " ".join(inspect.cleandoc(model.__doc__ or "").split())


def _choices(values: list[Any]) -> str:
    quoted = [f"`{value}`" for value in values]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _bounds(schema: JsonSchemaValue, low: str, high: str, exclusive_high: str) -> str:
    lowest, highest = schema.get(low), schema.get(high)
    if exclusive_high in schema:
        highest = schema[exclusive_high] - 1
    if lowest is not None and highest is not None:
        return f"{lowest}-{highest}"
    return f"at least {lowest}" if lowest is not None else (f"at most {highest}" if highest is not None else "")


@dataclass(frozen=True)
class Types:
    """What type_text needs to name a type: the schema's definitions and the section of each model."""

    definitions: dict[str, JsonSchemaValue]
    sections: dict[str, Section]


def type_text(schema: JsonSchemaValue, types: Types, path: str) -> str:
    """How a reader reads the JSON Schema of the key at `path`: a named type, a choice of values, or a link to
    the section of its model."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name in types.sections:
            return f"[{path}](#{types.sections[name].anchor})"
        return _choices(types.definitions[name]["enum"])  # the spec's enums, named by their values
    if "enum" in schema or "title" in schema:
        choices = f": {_choices(schema['enum'])}" if "enum" in schema else ""
        return f"{schema.get('title', 'one of')}{choices}"
    if "anyOf" in schema:
        options = [option for option in schema["anyOf"] if option != {"type": "null"}]
        return " or ".join(type_text(option, types, path) for option in options)
    return _structure_text(schema, types, path)


def _structure_text(schema: JsonSchemaValue, types: Types, path: str) -> str:
    kind = schema.get("type")
    if kind == "array":
        count = _bounds(schema, "minItems", "maxItems", "")
        return f"list of {type_text(schema.get('items', {}), types, path)}" + (f", {count}" if count else "")
    if kind == "object":
        values = schema.get("additionalProperties", {})
        return f"map of {type_text(values, types, path) if values else 'anything'}"
    bounds = _bounds(schema, "minimum", "maximum", "exclusiveMaximum") if kind == "integer" else ""
    return f"{kind}, {bounds}" if bounds else str(kind)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def cluster_reference() -> str:
    """A Markdown section per model of `kraft:cluster`: each key with its type, default and meaning."""
    schema = cluster_schema()
    found = sections()
    types = Types({**schema["$defs"], ClusterSpec.__name__: schema}, {s.model.__name__: s for s in found})
    parts = []
    for section in found:
        properties = types.definitions[section.model.__name__]["properties"]
        rows = []
        for name, field in section.model.model_fields.items():
            key = key_name(name, field)
            kind = type_text(properties[key], types, child_path(section.paths[0], key, field))
            default = default_text(field)
            shown = "required" if field.is_required() else (f"`{default}`" if default else "unset")
            rows.append(f"| `{key}` | {_cell(kind)} | {_cell(shown)} | {_cell(field.description or '')} |")
        parts.append(
            f"### {section.heading}\n\n{docstring(section.model)}\n\n"
            "| Key | Type | Default | Meaning |\n| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n"
        )
    return "\n".join(parts)


def stack_keys() -> str:
    """The keys of the stack's `kraft` namespace as a Markdown table."""
    rows = [f"| `{key}` | {_cell(meaning)} |" for key, meaning in stack.STACK_KEYS.items()]
    return "| Key | Meaning |\n| --- | --- |\n" + "\n".join(rows) + "\n"
