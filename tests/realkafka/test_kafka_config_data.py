"""The committed Kafka config data is what the release's own jars say, and the value checks built on it give
Kafka's own verdicts. Needs Java 17+ and Maven (Maven Central); the jars are cached by version."""

import os
from collections.abc import Iterator

import pytest

from kraft_component.configdef import AllOf, ConfigType, ListOf, OneOf, Opaque, Range
from kraft_component.kafka_release import ConfigKey, data_file, release
from kraft_component.spec import DEFAULT_KAFKA_VERSION
from realtools.kafka_configdef import extract, java, kafka_verdicts, render
from realtools.kafka_jars import MissingPrerequisite, runtime_libs

pytestmark = pytest.mark.realkafka

# The oldest release, the first whose ValidList checks empty and duplicate elements, and the newest.
COMPARED = ("3.9.2", "4.2.2", DEFAULT_KAFKA_VERSION)
TEXTS = (
    "", " ", "abc", "1", "-1", "0", "+7", " 42 ", "2147483647", "2147483648", "-2147483649", "32767", "32768",
    "9223372036854775807", "9223372036854775808", "1.5", "1e3", "-2.5E-3", "0x1p3", "NaN", "-Infinity", "1d", ".5",
    "5.", "true", "FALSE", "yes", " True ", "a,b", "a, b ,c", "a,,b", "a,a", ",", "a,", "org.apache.kafka.Foo",
    "1abc.Foo", "a..b", "\x01x", "x\x7f",
)  # fmt: skip


def require(version: str) -> None:
    """Java and the release's jars, or a skip naming what is missing (a failure in CI)."""
    try:
        java()
        runtime_libs(version)
    except MissingPrerequisite as missing:
        if os.environ.get("CI"):
            pytest.fail(str(missing))
        pytest.skip(str(missing))


def test_extracting_the_newest_release_reproduces_its_committed_file() -> None:
    require(DEFAULT_KAFKA_VERSION)

    extracted = render(extract(DEFAULT_KAFKA_VERSION))

    assert extracted == data_file(DEFAULT_KAFKA_VERSION).read_text(encoding="utf-8"), "run bin/kafka-configdefs"


def _checks(key: ConfigKey) -> tuple[object, ...]:
    return key.validator.validators if isinstance(key.validator, AllOf) else (key.validator,)


def samples(key: ConfigKey) -> Iterator[str]:
    """Texts that probe the key's type and validator: awkward numbers and lists, its own values and bounds."""
    yield from TEXTS
    if key.default is not None:
        yield key.default
    for check in _checks(key):
        if isinstance(check, OneOf | ListOf) and check.values:
            first = check.values[0]
            yield from (*check.values, first.lower(), first.upper(), ",".join(check.values), f"{first},{first}")
            yield from (f"{first}, ", f"x{first}")
        if isinstance(check, Range):
            yield from (
                str(bound + step) for bound in (check.min, check.max) if bound is not None for step in (-1, 0, 1)
            )


def checked_here(key: ConfigKey) -> bool:
    """Whether a refusal by Kafka must be a refusal here too: not when Kafka loads a class or runs its own code."""
    return key.type is not ConfigType.CLASS and not any(isinstance(check, Opaque) for check in _checks(key))


@pytest.mark.parametrize("version", COMPARED)
def test_the_value_checks_give_kafkas_own_verdicts(version: str) -> None:
    require(version)
    sections = {"broker": release(version).broker, "topic": release(version).topic}
    settings = [
        (section, key.name, text)
        for section, keys in sections.items()
        for key in keys.values()
        for text in dict.fromkeys(samples(key))
    ]

    verdicts = kafka_verdicts(version, settings)

    disagreements = [
        (section, name, text, kafka, ours)
        for (section, name, text), kafka in zip(settings, verdicts, strict=True)
        if (kafka is None) != ((ours := sections[section][name].problem(text)) is None)
        and (kafka is None or checked_here(sections[section][name]))
    ]
    assert sum(verdict is not None for verdict in verdicts) > len(settings) / 3, "the samples probe refusals"
    assert disagreements == []
