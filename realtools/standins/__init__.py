"""Stand-ins for the pulumi-random and pulumi-tls plugins, which the Go module proxy does not serve.

They speak the real plugin protocol to the real engine, under the real type tokens, for the resources and
properties the component uses, with the semantics of the Terraform providers behind the real plugins: every
input forces a replacement, `read` returns the state unchanged, a certificate inside its early-renewal window
is replaced. They are not the upstream providers (docs/real-pulumi.md, 'What is not real').
"""
