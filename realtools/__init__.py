"""Support code for the real-tool test tiers: Kafka, Pulumi and Kubernetes from their registries."""
