"""A resource provider of immutable resources: create, read, replace, delete; nothing is ever updated."""

import importlib.metadata
import json
from collections.abc import Callable, Mapping
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from .. import plugin_server

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's marker of a value not known at preview
Properties = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    """One resource type: its input defaults, how an instance is made (inputs -> id and outputs), and
    whether a deployed instance is due for replacement (a certificate in its renewal window)."""

    defaults: Mapping[str, Any]
    make: Callable[[Properties], tuple[str, Properties]]
    due: Callable[[Properties], bool] = field(default=lambda _state: False)


def type_of(urn: str) -> str:
    """The type token of a resource URN (`urn:pulumi:stack::project::parent$type::name`)."""
    return urn.split("::")[2].rsplit("$", maxsplit=1)[-1]


def to_dict(struct: struct_pb2.Struct) -> Properties:
    properties: Properties = json_format.MessageToDict(struct)
    return properties


def to_struct(properties: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(properties)
    return struct


def changed_inputs(old_inputs: Properties, new_inputs: Properties, ignored: set[str]) -> list[str]:
    """The inputs whose value differs (an unknown new value counts as a change)."""
    return sorted(
        key
        for key in old_inputs.keys() | new_inputs.keys()
        if key not in ignored and (old_inputs.get(key) != new_inputs.get(key) or new_inputs.get(key) == UNKNOWN)
    )


class ImmutableProvider(provider_pb2_grpc.ResourceProviderServicer):
    """The ResourceProvider service over a table of kinds, by type token."""

    def __init__(self, package: str, distribution: str, kinds: Mapping[str, Kind]) -> None:
        self.package = package
        self.version = importlib.metadata.version(distribution)  # the SDK's release: what the engine asks for
        self.kinds = kinds

    def _kind(self, urn: str, context: Any) -> Kind:
        token = type_of(urn)
        if token not in self.kinds:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{self.package} stand-in: {token} is not supported")
        return self.kinds[token]

    def Handshake(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC method names)
        return provider_pb2.ProviderHandshakeResponse()

    def GetPluginInfo(self, request: Any, context: Any) -> Any:  # noqa: N802
        return plugin_pb2.PluginInfo(version=self.version)

    def GetSchema(self, request: Any, context: Any) -> Any:  # noqa: N802
        return provider_pb2.GetSchemaResponse(schema=json.dumps({"name": self.package, "version": self.version}))

    def CheckConfig(self, request: Any, context: Any) -> Any:  # noqa: N802
        return provider_pb2.CheckResponse(inputs=request.news)

    def DiffConfig(self, request: Any, context: Any) -> Any:  # noqa: N802
        return provider_pb2.DiffResponse(changes=provider_pb2.DiffResponse.DIFF_NONE)

    def Configure(self, request: Any, context: Any) -> Any:  # noqa: N802
        return provider_pb2.ConfigureResponse(supportsPreview=True)

    def Check(self, request: Any, context: Any) -> Any:  # noqa: N802
        kind = self._kind(request.urn, context)
        return provider_pb2.CheckResponse(inputs=to_struct(dict(kind.defaults) | to_dict(request.news)))

    def Diff(self, request: Any, context: Any) -> Any:  # noqa: N802
        kind = self._kind(request.urn, context)
        old_inputs = to_dict(request.old_inputs) if request.HasField("old_inputs") else to_dict(request.olds)
        replaces = changed_inputs(old_inputs, to_dict(request.news), set(request.ignoreChanges))
        if not replaces and kind.due(to_dict(request.olds)):
            replaces = ["readyForRenewal"]
        changes = provider_pb2.DiffResponse.DIFF_SOME if replaces else provider_pb2.DiffResponse.DIFF_NONE
        return provider_pb2.DiffResponse(changes=changes, replaces=replaces, diffs=replaces)

    def Create(self, request: Any, context: Any) -> Any:  # noqa: N802
        kind = self._kind(request.urn, context)
        inputs = to_dict(request.properties)
        if request.preview:  # outputs left out are unknown until the real run
            return provider_pb2.CreateResponse(properties=to_struct(inputs))
        identity, outputs = kind.make(inputs)
        return provider_pb2.CreateResponse(id=identity, properties=to_struct(inputs | outputs))

    def Read(self, request: Any, context: Any) -> Any:  # noqa: N802
        """Nothing exists outside the state: a refresh finds the state as it is."""
        return provider_pb2.ReadResponse(id=request.id, properties=request.properties, inputs=request.inputs)

    def Update(self, request: Any, context: Any) -> Any:  # noqa: N802
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"{type_of(request.urn)} is replaced, never updated")

    def Delete(self, request: Any, context: Any) -> Any:  # noqa: N802
        return empty_pb2.Empty()

    def Cancel(self, request: Any, context: Any) -> Any:  # noqa: N802
        return empty_pb2.Empty()


def serve(provider: ImmutableProvider) -> None:
    """Serve `provider` to the engine until it stops this process."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=plugin_server.GRPC_OPTIONS)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(provider, server)
    plugin_server.serve(server)
