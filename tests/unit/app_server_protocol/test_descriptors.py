"""The one descriptor walk: field shapes, unions, enums, method options."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import descriptor as _d
from google.protobuf import descriptor_pb2, descriptor_pool

from app_server_protocol import codec, jsonrpc_pb2, methods
from app_server_protocol import descriptors as ds
from app_server_protocol.v2 import (
    account_pb2,
    notification_pb2,
    options_pb2,
    service_pb2,
    thread_pb2,
    turn_pb2,
)

_FD = _d.FieldDescriptor


def _all_messages() -> list[_d.Descriptor]:
    out: dict[str, _d.Descriptor] = {}

    def walk(d: _d.Descriptor) -> None:
        if d.full_name in out or d.GetOptions().map_entry:
            return
        out[d.full_name] = d
        for n in d.nested_types:
            walk(n)

    for d in methods.protocol_messages():
        walk(d)
    return list(out.values())


def test_field_shapes_follow_the_conventions() -> None:
    """Presence, defaults, nullable lists/maps and omit_unset give the documented shapes."""
    tsp = turn_pb2.TurnStartParams.DESCRIPTOR.fields_by_name
    assert ds.field_shape(tsp["thread_id"]).required and ds.field_shape(tsp["input"]).required
    cwd = ds.field_shape(tsp["cwd"])
    assert ds.has_presence(tsp["cwd"]) and cwd.nullable and not cwd.required
    out = ds.field_shape(tsp["output_schema"])
    assert out.nullable and not out.required and out.default is None  # default null
    assert not ds.field_shape(tsp["input"]).nullable
    tnu = notification_pb2.ThreadNameUpdatedNotification.DESCRIPTOR.fields_by_name
    name = ds.field_shape(tnu["thread_name"])
    assert name.omit_unset and not name.nullable  # `threadName?: string`
    req = jsonrpc_pb2.JSONRPCRequest.DESCRIPTOR.fields_by_name
    assert ds.field_shape(req["params"]).omit_unset
    gar = account_pb2.GetAccountRateLimitsResponse.DESCRIPTOR.fields_by_name
    limits = gar["rate_limits_by_limit_id"]
    assert ds.is_map(limits) and ds.field_shape(limits).nullable


def test_unions_and_enums() -> None:
    """Unions carry kind, tag member and variant tags; enums their wire strings."""
    item = ds.union_of(thread_pb2.ThreadItem.DESCRIPTOR)
    assert item is not None and item.kind == ds.TAGGED and item.tag_field == "type"
    assert item.variants[0].tag == "userMessage" and item.name == "ThreadItem"
    assert ds.union_of(thread_pb2.Thread.DESCRIPTOR) is None
    source = ds.union_of(thread_pb2.SessionSource.DESCRIPTOR)
    assert source is not None and source.kind == ds.EXTERNAL
    assert [v.unit for v in source.variants] == [True, False]
    wire = ds.enum_wire(thread_pb2.AskForApproval.DESCRIPTOR)
    assert wire[thread_pb2.ASK_FOR_APPROVAL_ON_FAILURE] == "on-failure"
    assert ds.enum_values(thread_pb2.AskForApproval.DESCRIPTOR)[1] == "on-failure"


def _all_enums() -> list[_d.EnumDescriptor]:
    out: list[_d.EnumDescriptor] = []

    def walk(d: _d.Descriptor) -> None:
        out.extend(d.enum_types)
        for n in d.nested_types:
            walk(n)

    files = {d.file for d in methods.protocol_messages()} | {options_pb2.DESCRIPTOR}
    for f in files:
        out.extend(f.enum_types_by_name.values())
        for m in f.message_types_by_name.values():
            walk(m)
    return out


def test_every_enum_zero_is_unspecified_and_off_the_wire() -> None:
    """Every enum of proto/ starts with `<ENUM>_UNSPECIFIED = 0` (proto3 reads an
    unset field as zero, so zero never means a real value), and no wire view
    (decoder table, encoder table, exporters' values) contains it."""
    enums = _all_enums()
    assert len(enums) > 30
    for e in enums:
        zero = e.values_by_number[0]
        assert zero.name.endswith("_UNSPECIFIED") and zero is e.values[0], e.full_name
        if e.file is options_pb2.DESCRIPTOR:
            continue  # an option's enum, not a wire type
        assert 0 not in ds.enum_wire(e), e.full_name
        assert len(ds.enum_values(e)) == len(e.values) - 1, e.full_name
    assert thread_pb2.TURN_STATUS_COMPLETED != 0


def test_an_enum_without_unspecified_zero_fails() -> None:
    """An enum whose zero is a real value is a bad contract, refused when first read."""
    fdp = descriptor_pb2.FileDescriptorProto(
        name="test_descriptors_enum.proto", package="test_descriptors_enum", syntax="proto3")
    e = fdp.enum_type.add(name="Speed")
    e.value.add(name="SPEED_FAST", number=0)
    e.value.add(name="SPEED_SLOW", number=1)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    with pytest.raises(RuntimeError, match=r"Speed: the first value must be"):
        ds.enum_wire(pool.FindEnumTypeByName("test_descriptors_enum.Speed"))


def test_unmodelled_experimental_members() -> None:
    """`(experimental_member)`s come in listed order, the refusal's name defaulting
    to the member's."""
    members = ds.experimental_members(thread_pb2.ThreadStartParams.DESCRIPTOR)
    assert ds.ExperimentalMember("persistExtendedHistory", "persistFullHistory") in members
    assert all(m.reason for m in members)
    assert ds.experimental_members(thread_pb2.ThreadListParams.DESCRIPTOR) == ()


def test_method_options() -> None:
    """Method names, experimental marks and notification names come from the options."""
    svc = service_pb2.DESCRIPTOR.services_by_name["ThreadService"]
    assert ds.method_name(svc.methods_by_name["ThreadStart"]) == "thread/start"
    assert not ds.is_experimental_method(svc.methods_by_name["ThreadStart"])
    assert ds.notification_name(notification_pb2.AgentMessageDeltaNotification.DESCRIPTOR) == (
        "item/agentMessage/delta"
    )


def _set_required_enums(m: Any) -> None:
    """Set what an output must carry and proto3 cannot leave unset: every
    required enum (to its first wire value) and union (to its first variant),
    in `m` and in its required message members."""
    union = ds.union_of(m.DESCRIPTOR)
    if union is not None:
        first = union.variants[0].field
        if m.WhichOneof(union.oneof.name) is None and first.type == _FD.TYPE_ENUM:
            setattr(m, first.name, next(iter(ds.enum_wire(ds.enum_type(first)))))
        elif m.WhichOneof(union.oneof.name) is None and first.type == _FD.TYPE_MESSAGE:
            getattr(m, first.name).SetInParent()
            _set_required_enums(getattr(m, first.name))
        return
    for shape in ds.object_fields(m.DESCRIPTOR):
        f = shape.field
        if f.is_repeated or ds.has_presence(f) or f.containing_oneof is not None:
            continue
        if f.type == _FD.TYPE_ENUM and shape.default is ds.NO_DEFAULT:
            setattr(m, f.name, next(iter(ds.enum_wire(ds.enum_type(f)))))
        elif f.type == _FD.TYPE_MESSAGE and not (ds.is_value(f) or ds.is_struct(f)):
            if shape.default is ds.NO_DEFAULT:
                _set_required_enums(getattr(m, f.name))


@pytest.mark.parametrize("desc", _all_messages(), ids=lambda d: d.full_name)
def test_encoder_output_agrees_with_the_shapes(desc: _d.Descriptor) -> None:
    """An unset message (its required enums and unions set) encodes every member
    as its shape says, for every message.

    Pins the presence rules the codec and the exporters once read separately
    (they disagreed on `google.protobuf.Value` members, which the encoder
    writes as null and the schema walk called not nullable): an omit_unset
    member is absent, every other member is present, and only nullable ones
    are null.
    """
    if ds.union_of(desc) is not None or desc.file is service_pb2.DESCRIPTOR:
        return  # a union, or a stream frame: its set member is encoded, never the frame
    msg = methods.message_class(desc)()
    _set_required_enums(msg)
    out: dict[str, Any] = codec.encoder_for(desc)(msg)
    for shape in ds.object_fields(desc):
        where = shape.field.full_name
        if shape.omit_unset:
            assert shape.key not in out, where
            continue
        assert shape.key in out, where
        f = shape.field
        member_union = ds.union_of(f.message_type) if f.message_type is not None else None
        if member_union is not None and member_union.kind == ds.UNTAGGED:
            continue  # an unset untagged union has no variant to write: null
        if out[shape.key] is None:
            assert shape.nullable, f"{where} encodes null but its shape is not nullable"


def _bad_message() -> _d.Descriptor:
    """A message whose non-optional string member carries `(omit_unset)`."""
    fdp = descriptor_pb2.FileDescriptorProto(
        name="test_descriptors_bad.proto",
        package="test_descriptors_bad",
        syntax="proto3",
        dependency=["app_server_protocol/v2/options.proto"],
    )
    m = fdp.message_type.add(name="Bad")
    f = m.field.add(name="x", number=1, json_name="x")
    f.type = descriptor_pb2.FieldDescriptorProto.TYPE_STRING
    f.label = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
    f.options.Extensions[options_pb2.omit_unset] = True
    pool = descriptor_pool.Default()
    try:
        return pool.FindMessageTypeByName("test_descriptors_bad.Bad")
    except KeyError:
        pool.Add(fdp)
        return pool.FindMessageTypeByName("test_descriptors_bad.Bad")


def test_a_bad_annotation_fails_when_converters_are_built() -> None:
    """`(omit_unset)` without presence is refused by the walk, hence by `build_all`
    (which the method tables run at import), not at the first message."""
    bad = _bad_message()
    with pytest.raises(RuntimeError, match=r"\(omit_unset\) needs an `optional` field"):
        ds.object_fields(bad)
    with pytest.raises(RuntimeError, match="omit_unset"):
        codec.build_all([bad])
