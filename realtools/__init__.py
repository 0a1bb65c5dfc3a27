"""Support for the real-runtime test tiers: real Kafka releases and pods run as local processes."""
