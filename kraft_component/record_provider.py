"""The kraft plugin as the provider of its own resource, the deployment record (record.PackageRecord).

Pulumi's component host serves Construct only; a custom resource of the package needs Check, Diff, Create,
Update, Read and Delete too. This servicer adds them for the record, with the check of every Python program
(record.checked): the same guards refuse the same changes whatever the program's language.
"""

import argparse
import asyncio
import sys
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.provider import Provider
from pulumi.provider.server import ProviderServicer
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from .record import PACKAGE_TYPE, checked

GRPC_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]  # as the engine's own channels


def plain(properties: struct_pb2.Struct) -> dict[str, Any]:
    """Properties as the wire has them: numbers are floats, an unknown value is rpc.UNKNOWN."""
    values: dict[str, Any] = json_format.MessageToDict(properties)
    return values


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


def record_type(urn: str) -> str:
    """The type of a URN (`urn:pulumi:stack::project::parent$type::name`)."""
    return urn.split("::")[2].rsplit("$", maxsplit=1)[-1]


class RecordServicer(ProviderServicer):
    """Construct for the component (the component host's), and the record's lifecycle: the record is its
    inputs, kept in the stack's state; nothing exists outside it."""

    def _refuse_other(self, urn: str, context: Any) -> None:
        if record_type(urn) != PACKAGE_TYPE:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f"the kraft plugin serves no resource {record_type(urn)}")

    async def Check(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC method names)
        """Refuse a new record that breaks a guard, naming the key and the safe procedure."""
        self._refuse_other(request.urn, context)
        inputs, problems = checked(plain(request.olds), plain(request.news))
        failures = [provider_pb2.CheckFailure(property="pools", reason=problem) for problem in problems]
        return provider_pb2.CheckResponse(inputs=struct(inputs), failures=failures)

    async def Diff(self, request: Any, context: Any) -> Any:  # noqa: N802
        """An update of the record when any key changed; never a replacement."""
        self._refuse_other(request.urn, context)
        olds, news = plain(request.olds), plain(request.news)
        changed = sorted(key for key in olds.keys() | news.keys() if olds.get(key) != news.get(key))
        kind = provider_pb2.DiffResponse.DIFF_SOME if changed else provider_pb2.DiffResponse.DIFF_NONE
        return provider_pb2.DiffResponse(changes=kind, diffs=changed)

    async def Create(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._refuse_other(request.urn, context)
        digest = str(plain(request.properties)["clusterIdSha256"])
        return provider_pb2.CreateResponse(id=digest[:16], properties=request.properties)

    async def Update(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._refuse_other(request.urn, context)
        return provider_pb2.UpdateResponse(properties=request.news)

    async def Read(self, request: Any, context: Any) -> Any:  # noqa: N802
        """A refresh finds the record as the state has it."""
        self._refuse_other(request.urn, context)
        return provider_pb2.ReadResponse(id=request.id, properties=request.properties, inputs=request.inputs)

    async def Delete(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._refuse_other(request.urn, context)
        return empty_pb2.Empty()


def serve(provider: Provider, argv: list[str] | None = None) -> None:
    """Serve `provider` and the record to the engine whose address is the first argument (flags such as
    `--logtostderr` follow), until the engine stops the plugin; the port goes to stdout, as a plugin's must."""
    parser = argparse.ArgumentParser(description="the kraft plugin")
    parser.add_argument("engine")
    engine = parser.parse_known_args(sys.argv[1:] if argv is None else argv)[0].engine

    async def run() -> None:
        server = grpc.aio.server(options=GRPC_OPTIONS)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(RecordServicer(provider, [], engine), server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        print(port, flush=True)
        await server.wait_for_termination()

    asyncio.run(run())
