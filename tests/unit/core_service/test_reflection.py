"""Reflection v1 and v1alpha from one servicer: both list the same services, and v1's
own descriptor is served (a v1 client can describe the service it is talking to)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import grpc.aio
import pytest
from google.protobuf import descriptor_pb2
from grpc_reflection.v1alpha import reflection_pb2

from core_service import reflection

WAIT = 5.0


@pytest.fixture
async def channel() -> AsyncIterator[grpc.aio.Channel]:
    """A channel to a server with reflection for one made-up service name."""
    server = grpc.aio.server()
    listed = reflection.enable(server, ["example.v1.Thing"])
    assert listed == ["example.v1.Thing", reflection.V1_SERVICE, reflection.V1ALPHA_SERVICE]
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as chan:
        yield chan
    await server.stop(None)


async def ask(channel: grpc.aio.Channel, version: str,
              request: reflection_pb2.ServerReflectionRequest
              ) -> reflection_pb2.ServerReflectionResponse:
    """One reflection request over `version` (v1 or v1alpha); its one answer."""
    info = channel.stream_stream(
        f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
    async for answer in info(iter([request]), timeout=WAIT):
        return answer
    raise AssertionError("no reflection answer")


async def test_both_versions_list_the_same_services(channel: grpc.aio.Channel) -> None:
    """list_services answers alike over v1 and v1alpha."""
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    for version in ("v1", "v1alpha"):
        answer = await ask(channel, version, request)
        assert [s.name for s in answer.list_services_response.service] == [
            "example.v1.Thing", "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection"]


async def test_v1_service_is_described_in_its_own_package(channel: grpc.aio.Channel) -> None:
    """The file holding grpc.reflection.v1.ServerReflection is the v1 file, whose method
    types are v1 messages (what `grpcurl describe` needs)."""
    answer = await ask(channel, "v1", reflection_pb2.ServerReflectionRequest(
        file_containing_symbol=reflection.V1_SERVICE))
    files = [descriptor_pb2.FileDescriptorProto.FromString(raw)
             for raw in answer.file_descriptor_response.file_descriptor_proto]
    v1 = next(f for f in files if f.package == "grpc.reflection.v1")
    assert v1.name == "grpc/reflection/v1/reflection.proto"
    method = v1.service[0].method[0]
    assert (method.name, method.input_type) == (
        "ServerReflectionInfo", ".grpc.reflection.v1.ServerReflectionRequest")
