"""End-to-end tests on a local kind cluster (pytest marker `e2e`; run them with bin/test-e2e)."""
