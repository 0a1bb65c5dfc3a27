"""Kafka's ConfigDef rules, in Python: how a value's text is parsed for its type and what its validator allows.

The same checks a broker makes when it reads server.properties (`ConfigDef.parseType`, then the key's
validator), so a value Kafka would refuse is refused at preview instead. Only ConfigDef's own validators are
modelled; a validator written elsewhere in Kafka is `Opaque` and not checked here.
"""

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ConfigType(StrEnum):
    """A ConfigDef type: how Kafka parses the text of a value."""

    BOOLEAN = "BOOLEAN"
    STRING = "STRING"
    INT = "INT"
    SHORT = "SHORT"
    LONG = "LONG"
    DOUBLE = "DOUBLE"
    LIST = "LIST"
    CLASS = "CLASS"
    PASSWORD = "PASSWORD"


@dataclass(frozen=True)
class Range:
    """A number between `min` and `max`, each bound optional (ConfigDef.Range)."""

    min: float | None
    max: float | None

    def problem(self, value: object) -> str | None:
        """Range compares as doubles (Number.doubleValue()), so NaN passes as it does in Kafka."""
        if not isinstance(value, int | float):
            return None
        if self.min is not None and float(value) < float(self.min):
            return f"{_number(value)} is below the minimum {_number(self.min)}"
        if self.max is not None and float(value) > float(self.max):
            return f"{_number(value)} is above the maximum {_number(self.max)}"
        return None


@dataclass(frozen=True)
class OneOf:
    """A string from a closed set (ConfigDef.ValidString; CaseInsensitiveValidString, whose values are upper
    case, when `ignore_case`)."""

    values: tuple[str, ...]
    ignore_case: bool = False

    def problem(self, value: object) -> str | None:
        if not isinstance(value, str) or (value.upper() if self.ignore_case else value) in self.values:
            return None
        return f"{value!r} is not one of {', '.join(self.values)}" + (" (in any case)" if self.ignore_case else "")


@dataclass(frozen=True)
class ListOf:
    """A list whose elements are from `values`, or anything when `values` is empty (ConfigDef.ValidList).

    `empty_allowed` is None for releases whose ValidList predates its checks for an empty list, empty elements
    and duplicates (Kafka 4.1 and older); from 4.2 on it says whether the list may be empty.
    """

    values: tuple[str, ...]
    empty_allowed: bool | None

    def problem(self, value: object) -> str | None:
        if not isinstance(value, list):
            return None
        if self.empty_allowed is not None and (shape := _list_shape_problem(value, self.empty_allowed)):
            return shape
        unknown = next((element for element in value if self.values and element not in self.values), None)
        return None if unknown is None else f"{unknown!r} is not one of {', '.join(self.values)}"


def _list_shape_problem(elements: list[str], empty_allowed: bool) -> str | None:
    if not elements and not empty_allowed:
        return "an empty list is not allowed"
    if "" in elements:
        return "the list holds an empty value"
    if len(set(elements)) != len(elements):
        return "the list holds a value twice"
    return None


@dataclass(frozen=True)
class ListSize:
    """A list of at most `max` elements (ConfigDef.ListSize)."""

    max: int

    def problem(self, value: object) -> str | None:
        if isinstance(value, list) and len(value) > self.max:
            return f"{len(value)} values where at most {self.max} are allowed"
        return None


@dataclass(frozen=True)
class NonEmptyString:
    """A string that is not empty (ConfigDef.NonEmptyString), and without control characters unless allowed
    (NonEmptyStringWithoutControlChars)."""

    control_characters_allowed: bool = True

    def problem(self, value: object) -> str | None:
        if value == "":
            return "an empty string is not allowed"
        if isinstance(value, str) and not self.control_characters_allowed and any(map(_is_control, value)):
            return f"{value!r} holds a control character"
        return None


@dataclass(frozen=True)
class NonNull:
    """ConfigDef.NonNullValidator: a value written in a properties file is never null."""

    def problem(self, value: object) -> str | None:
        return None


@dataclass(frozen=True)
class AllOf:
    """Every one of the validators (ConfigDef.CompositeValidator)."""

    validators: tuple["Validator", ...]

    def problem(self, value: object) -> str | None:
        return next(filter(None, (validator.problem(value) for validator in self.validators)), None)


@dataclass(frozen=True)
class Opaque:
    """A validator written in Kafka code (a class or lambda) that is not checked here; `text` describes it."""

    class_name: str
    text: str | None

    def problem(self, value: object) -> str | None:
        return None


Validator = Range | OneOf | ListOf | ListSize | NonEmptyString | NonNull | AllOf | Opaque

_VALIDATORS: dict[str, Callable[[Mapping[str, Any]], Validator]] = {
    "range": lambda data: Range(data.get("min"), data.get("max")),
    "oneOf": lambda data: OneOf(tuple(data["values"])),
    "oneOfIgnoringCase": lambda data: OneOf(tuple(data["values"]), ignore_case=True),
    "listOf": lambda data: ListOf(tuple(data["values"]), data.get("emptyAllowed")),
    "listSize": lambda data: ListSize(data["max"]),
    "nonEmptyString": lambda data: NonEmptyString(),
    "nonEmptyStringWithoutControlChars": lambda data: NonEmptyString(control_characters_allowed=False),
    "nonNull": lambda data: NonNull(),
    "all": lambda data: AllOf(tuple(validator(part) for part in data["validators"])),
}


def validator(data: Mapping[str, Any]) -> Validator:
    """A validator from its data-file form (`{"kind": ..., ...}`, written by realtools/configdef)."""
    known = _VALIDATORS.get(data["kind"])
    return known(data) if known else Opaque(data["class"], data.get("text"))


# ConfigDef.parseType: the value's text trimmed, then parsed for its type; ValueError says why it cannot be.

_JAVA_WHITESPACE = "".join(map(chr, range(33)))  # String.trim() strips every char up to ' '
_LIST_SEPARATOR = re.compile("[ \t\n\x0b\f\r]*,[ \t\n\x0b\f\r]*")  # "\\s*,\\s*" in java.util.regex
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(NaN|Infinity|([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[fFdD]?)")
_HEX_FLOAT = re.compile(r"[+-]?0[xX]([0-9a-fA-F]+\.?|[0-9a-fA-F]*\.[0-9a-fA-F]+)[pP][+-]?[0-9]+[fFdD]?")
_JAVA_IDENTIFIER = r"(?:[^\W\d]|\$)[\w$]*"
_CLASS_NAME = re.compile(rf"{_JAVA_IDENTIFIER}(?:\.{_JAVA_IDENTIFIER})*")
_INTEGER_BITS = {ConfigType.SHORT: 16, ConfigType.INT: 32, ConfigType.LONG: 64}


def _integer(text: str, kind: ConfigType) -> int:
    bits = _INTEGER_BITS[kind]
    if not _INTEGER.fullmatch(text) or not -(2 ** (bits - 1)) <= int(text) < 2 ** (bits - 1):
        raise ValueError(f"{text!r} is not of type {kind} (a {bits}-bit integer)")
    return int(text)


def _double(text: str) -> float:
    """Double.parseDouble: decimal or hexadecimal, NaN and Infinity, an optional f/d suffix."""
    if _DECIMAL.fullmatch(text):
        return float(text.rstrip("fFdD").replace("Infinity", "inf"))
    if _HEX_FLOAT.fullmatch(text):
        return float.fromhex(text.rstrip("fFdD"))
    raise ValueError(f"{text!r} is not of type DOUBLE (a number)")


def _boolean(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError(f"{text!r} is not of type BOOLEAN (true or false)")
    return text.lower() == "true"


def _list(text: str) -> list[str]:
    return _LIST_SEPARATOR.split(text) if text else []


def _class(text: str) -> str:
    """Kafka loads the class; here only its name's syntax can be checked (it may come from a plugin)."""
    if not _CLASS_NAME.fullmatch(text):
        raise ValueError(f"{text!r} is not of type CLASS (a Java class name)")
    return text


_PARSERS: dict[ConfigType, Callable[[str], object]] = {
    ConfigType.BOOLEAN: _boolean,
    ConfigType.SHORT: lambda text: _integer(text, ConfigType.SHORT),
    ConfigType.INT: lambda text: _integer(text, ConfigType.INT),
    ConfigType.LONG: lambda text: _integer(text, ConfigType.LONG),
    ConfigType.DOUBLE: _double,
    ConfigType.LIST: _list,
    ConfigType.CLASS: _class,
}


def parse(kind: ConfigType, text: str) -> object:
    """`text` parsed as Kafka parses a value of type `kind` (STRING and PASSWORD: trimmed)."""
    return _PARSERS.get(kind, str)(text.strip(_JAVA_WHITESPACE))


def value_problem(kind: ConfigType, checks: Validator | None, text: str) -> str | None:
    """Why Kafka would refuse `text` for a key of type `kind` with validator `checks`, or None."""
    try:
        parsed = parse(kind, text)
    except ValueError as refused:
        return str(refused)
    return checks.problem(parsed) if checks else None


def _is_control(char: str) -> bool:
    return ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F  # Character.isISOControl


def _number(number: float) -> str:
    """A number as a user writes it: 1 rather than 1.0."""
    if isinstance(number, float) and math.isfinite(number) and number.is_integer():
        return str(int(number))
    return str(number)
