"""Files the Kafka container runs with: shell scripts and logging configuration."""

from functools import cache
from importlib.resources import files


@cache
def script(name: str) -> str:
    """The text of a file shipped in this folder."""
    return files(__package__).joinpath(name).read_text(encoding="utf-8")
