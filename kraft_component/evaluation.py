"""Run a Pulumi program offline under mocks and record every resource it registers, with its options.

This is how `render` and the tests see exactly what `pulumi up` would send, without an engine or a cluster.
"""

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import settings
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks

from .wire import whole_numbers

SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"
REDACTED = "<redacted secret>"


@dataclass(frozen=True)
class Registration:
    """One registered resource: its type token, logical name, inputs and resource options."""

    type: str
    name: str
    inputs: dict[str, Any]
    custom: bool
    parent: str
    protect: bool
    delete_before_replace: bool
    retain_on_delete: bool
    depends_on: tuple[str, ...]
    custom_timeouts: dict[str, str]
    ignore_changes: tuple[str, ...]

    @property
    def is_kubernetes_object(self) -> bool:
        """Whether this is an object sent to the Kubernetes API."""
        return self.custom and self.type.startswith("kubernetes:")

    def manifest(self, show_secrets: bool = False) -> dict[str, Any]:
        """The object as the Kubernetes API receives it, secrets redacted unless asked for."""
        revealed: dict[str, Any] = reveal(self.inputs, show_secrets)
        return revealed


def resource_key(urn: str) -> tuple[str, str]:
    """(type token, logical name) of a URN, which names a resource whatever its parent."""
    qualified_type, name = urn.split("::")[-2:]
    return qualified_type.split("$")[-1], name


def reveal(value: Any, show_secrets: bool) -> Any:
    """`value` without Pulumi's secret envelopes: each secret shown, or each of its leaves REDACTED
    (so a redacted object keeps its shape)."""
    if isinstance(value, dict):
        if value.get(SECRET_SIGNATURE) is not None and "value" in value:
            plain = reveal(value["value"], show_secrets=True)
            return plain if show_secrets else _blank(plain)
        return {key: reveal(item, show_secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [reveal(item, show_secrets) for item in value]
    return whole_numbers(value)


def _blank(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _blank(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_blank(item) for item in value]
    return REDACTED


def fake_random_id(name: str, byte_length: int) -> str:
    """A stable stand-in for a RandomId's base64url value, derived from its logical name."""
    digest = hashlib.sha256(name.encode()).digest()[:byte_length]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def fake_password(name: str, length: int) -> str:
    """A stable stand-in for a RandomPassword without special characters: letters and digits."""
    digest = hashlib.sha256(name.encode()).hexdigest()
    return (digest * (length // len(digest) + 1))[:length]


def fake_pem(label: str, name: str) -> str:
    """A stable stand-in for a PEM block of a generated key or certificate."""
    body = base64.b64encode(hashlib.sha256(f"{label}:{name}".encode()).digest()).decode()
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"


# Output properties of the generated keys and certificates, and the PEM label of each.
_FAKE_PEMS = {
    "tls:index/privateKey:PrivateKey": {
        "privateKeyPem": "EC PRIVATE KEY", "privateKeyPemPkcs8": "PRIVATE KEY", "publicKeyPem": "PUBLIC KEY",
    },
    "tls:index/selfSignedCert:SelfSignedCert": {"certPem": "CERTIFICATE"},
    "tls:index/certRequest:CertRequest": {"certRequestPem": "CERTIFICATE REQUEST"},
    "tls:index/locallySignedCert:LocallySignedCert": {"certPem": "CERTIFICATE"},
}  # fmt: skip


class RecordingMocks(Mocks):
    """Echoes inputs back as outputs, and gives random values and generated keys stable stand-ins."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        outputs = dict(args.inputs)
        if args.typ == "random:index/randomId:RandomId":
            outputs["b64Url"] = fake_random_id(args.name, int(args.inputs["byteLength"]))
        if args.typ == "random:index/randomPassword:RandomPassword":
            outputs["result"] = fake_password(args.name, int(args.inputs["length"]))
        outputs |= {key: fake_pem(label, args.name) for key, label in _FAKE_PEMS.get(args.typ, {}).items()}
        return f"{args.name}-id", outputs

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


class RecordingMonitor(MockMonitor):
    """A mock monitor that also keeps what the engine would receive: inputs and resource options."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (the gRPC method name)
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            timeouts = request.customTimeouts
            self.registrations.append(
                Registration(
                    type=request.type,
                    name=request.name,
                    inputs=pulumi.runtime.rpc.deserialize_properties(request.object, keep_unknowns=True),
                    custom=request.custom,
                    parent=request.parent,
                    protect=request.protect,
                    delete_before_replace=request.deleteBeforeReplace,
                    retain_on_delete=request.retainOnDelete,
                    depends_on=tuple(request.dependencies),
                    ignore_changes=tuple(request.ignoreChanges),
                    custom_timeouts={
                        key: value for key in ("create", "update", "delete") if (value := getattr(timeouts, key))
                    },
                )
            )
        return response


@dataclass
class Evaluation:
    """The resources a program registered, the value it returned, and that value with Outputs resolved."""

    registrations: list[Registration]
    result: Any = field(default=None)
    resolved: Any = field(default=None)

    def kubernetes_objects(self, show_secrets: bool = False) -> list[dict[str, Any]]:
        """Every Kubernetes object, as sent to the API server."""
        return [r.manifest(show_secrets) for r in self.registrations if r.is_kubernetes_object]


def evaluate(
    program: Callable[[], Any],
    config: dict[str, str] | None = None,
    *,
    project: str = "kraft",
    stack: str = "test",
    secret_keys: list[str] | None = None,
    mocks: Mocks | None = None,
    preview: bool = False,
) -> Evaluation:
    """Run `program` as `pulumi up` would (as `pulumi preview` would with `preview`: an output the mocks leave
    unset is unknown) and return what it registered; `mocks` answer for the providers (RecordingMocks, which
    compute stand-ins for random values and keys, unless given)."""
    mocks = mocks or RecordingMocks()
    monitor = RecordingMonitor(mocks)
    settings.ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    pulumi.runtime.set_all_config(config or {}, secret_keys or [])
    evaluation = Evaluation(monitor.registrations)

    def keep(value: Any) -> None:
        evaluation.resolved = value

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def run() -> pulumi.Output[None]:
        evaluation.result = program()
        return pulumi.Output.from_input(evaluation.result).apply(keep)

    run()
    return evaluation
