"""An application of the real-Kafka tier: confluent-kafka (librdkafka) with a configuration from a JSON file,
run by Cluster.start_client on the pod network. It writes what it saw as JSON to a file, since its own output
mixes in librdkafka's log.

    client.py produce CONFIG TOPIC OUT COUNT      COUNT messages, then wait for every delivery report
    client.py produce CONFIG TOPIC OUT 0 STOP     messages until the file STOP exists (OUT rewritten every second)
    client.py consume CONFIG TOPIC OUT            every record of the topic up to each partition's end at start

Produced values are `<sequence number>`; OUT of `produce` holds `delivered` ([partition, offset, value] of
each acknowledged message), `failed` (delivery errors by code name) and `errors` (the client's own, by code
name, e.g. _AUTHENTICATION). OUT of `consume` holds `records` ({partition: {offset: value}}) and `errors`.
"""

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, KafkaError, Message, Producer, TopicPartition

RATE = 100  # messages a second while producing until told to stop
DRAIN_TIMEOUT = 120.0
CONSUME_TIMEOUT = 180.0


def write(path: Path, result: dict[str, Any]) -> None:
    """Replace `path` with `result` at once (a reader never sees half a file)."""
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(result))
    partial.replace(path)


class Outcome:
    """What a client saw: deliveries, failures and its own errors."""

    def __init__(self) -> None:
        self.delivered: list[tuple[int, int, str]] = []
        self.failed: Counter[str] = Counter()
        self.errors: list[str] = []

    def on_error(self, error: KafkaError) -> None:
        self.errors.append(error.name())

    def on_delivery(self, error: KafkaError | None, message: Message) -> None:
        if error is not None:
            self.failed[error.name()] += 1
        else:
            value = message.value()
            assert isinstance(value, bytes)
            self.delivered.append((message.partition() or 0, message.offset() or 0, value.decode()))

    def as_json(self) -> dict[str, Any]:
        return {"delivered": self.delivered, "failed": dict(self.failed), "errors": self.errors}


def produce(config: dict[str, Any], topic: str, out: Path, count: int, stop: Path | None) -> None:
    outcome = Outcome()
    producer = Producer(config | {"acks": "all", "error_cb": outcome.on_error})
    sequence, last_write = 0, 0.0
    while (stop is None and sequence < count) or (stop is not None and not stop.exists()):
        producer.produce(topic, str(sequence).encode(), on_delivery=outcome.on_delivery)
        sequence += 1
        producer.poll(0 if stop is None else 1 / RATE)
        if stop is not None and time.monotonic() - last_write > 1:
            write(out, outcome.as_json())
            last_write = time.monotonic()
    producer.flush(DRAIN_TIMEOUT)
    write(out, outcome.as_json())


def consume(config: dict[str, Any], topic: str, out: Path) -> None:
    outcome = Outcome()
    consumer = Consumer(config | {"auto.offset.reset": "earliest", "enable.auto.commit": False,
                                  "error_cb": outcome.on_error})  # fmt: skip
    partitions = consumer.list_topics(topic, timeout=60).topics[topic].partitions
    ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=60)[1] for p in partitions}
    records: dict[int, dict[int, str]] = {p: {} for p in partitions}
    consumer.subscribe([topic])
    deadline = time.monotonic() + CONSUME_TIMEOUT
    while any(len(records[p]) < end for p, end in ends.items()) and time.monotonic() < deadline:
        message = consumer.poll(1)
        if message is None:
            continue
        if (error := message.error()) is not None:
            outcome.on_error(error)
            continue
        value = message.value()
        assert isinstance(value, bytes)
        records[message.partition() or 0][message.offset() or 0] = value.decode()
    consumer.close()
    write(out, {"records": records, "ends": ends, "errors": outcome.errors})


def main(arguments: list[str]) -> None:
    command, config_file, topic, out = arguments[:4]
    config = json.loads(Path(config_file).read_text())
    if command == "produce":
        stop = Path(arguments[5]) if len(arguments) > 5 else None
        produce(config, topic, Path(out), int(arguments[4]), stop)
    else:
        consume(config, topic, Path(out))


if __name__ == "__main__":
    main(sys.argv[1:])
