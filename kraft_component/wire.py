"""Values as they come back from Pulumi's wire format."""

from typing import Any


def whole_numbers(value: Any) -> Any:
    """`value` with every integral float made an int again: the wire carries every number as a float."""
    if isinstance(value, dict):
        return {key: whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [whole_numbers(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
