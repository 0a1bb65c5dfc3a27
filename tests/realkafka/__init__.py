"""Tests against real Kafka releases (marker `realkafka`), run as local processes."""
