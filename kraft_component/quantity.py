"""Kubernetes resource quantities (`512Mi`, `1.5`, `250m`), parsed exactly as the API server does."""

import math
import re
from decimal import Decimal
from typing import Any

_SUFFIXES: dict[str, Decimal] = {
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}
QUANTITY = re.compile(
    r"^(?P<number>[+]?(\d+\.?\d*|\.\d+))"
    r"(?:(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE](?P<exponent>[+-]?\d+))?$"
)


def parse_quantity(text: str) -> Decimal:
    """The value of a quantity in base units; ValueError names the text when it is not one."""
    match = QUANTITY.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a Kubernetes quantity (examples: 512Mi, 2Gi, 500m, 1.5)")
    number = Decimal(match["number"])
    if match["exponent"] is not None:
        return number * Decimal(10) ** int(match["exponent"])
    return number * _SUFFIXES[match["suffix"] or ""]


def quantity_text(value: Any) -> Any:
    """A quantity given as a number (YAML `cpu: 1`, `cpu: 0.5`, `memory: 1073741824`) as the text of the same value,
    which Kubernetes accepts as well; anything else is left to the string checks."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} is not a Kubernetes quantity (examples: 512Mi, 2Gi, 500m, 1.5)")
    return repr(value)
