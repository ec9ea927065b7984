from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class UnionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UNION_KIND_UNSPECIFIED: _ClassVar[UnionKind]
    UNION_KIND_TAGGED: _ClassVar[UnionKind]
    UNION_KIND_EXTERNAL: _ClassVar[UnionKind]
    UNION_KIND_UNTAGGED: _ClassVar[UnionKind]
UNION_KIND_UNSPECIFIED: UnionKind
UNION_KIND_TAGGED: UnionKind
UNION_KIND_EXTERNAL: UnionKind
UNION_KIND_UNTAGGED: UnionKind
METHOD_FIELD_NUMBER: _ClassVar[int]
method: _descriptor.FieldDescriptor
EXPERIMENTAL_METHOD_FIELD_NUMBER: _ClassVar[int]
experimental_method: _descriptor.FieldDescriptor
NOTIFICATION_FIELD_NUMBER: _ClassVar[int]
notification: _descriptor.FieldDescriptor
ADDITIONAL_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
additional_properties: _descriptor.FieldDescriptor
EXPERIMENTAL_MEMBER_FIELD_NUMBER: _ClassVar[int]
experimental_member: _descriptor.FieldDescriptor
UNION_KIND_FIELD_NUMBER: _ClassVar[int]
union_kind: _descriptor.FieldDescriptor
TAG_FIELD_FIELD_NUMBER: _ClassVar[int]
tag_field: _descriptor.FieldDescriptor
TAG_FIELD_NUMBER: _ClassVar[int]
tag: _descriptor.FieldDescriptor
NULLABLE_FIELD_NUMBER: _ClassVar[int]
nullable: _descriptor.FieldDescriptor
OMIT_UNSET_FIELD_NUMBER: _ClassVar[int]
omit_unset: _descriptor.FieldDescriptor
EXPERIMENTAL_FIELD_FIELD_NUMBER: _ClassVar[int]
experimental_field: _descriptor.FieldDescriptor
DEFAULT_JSON_FIELD_NUMBER: _ClassVar[int]
default_json: _descriptor.FieldDescriptor
WIRE_FIELD_NUMBER: _ClassVar[int]
wire: _descriptor.FieldDescriptor

class ExperimentalMember(_message.Message):
    __slots__ = ("name", "reason")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: str
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...
