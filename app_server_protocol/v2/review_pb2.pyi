from app_server_protocol.v2 import options_pb2 as _options_pb2
from app_server_protocol.v2 import thread_pb2 as _thread_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReviewDelivery(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REVIEW_DELIVERY_UNSPECIFIED: _ClassVar[ReviewDelivery]
    REVIEW_DELIVERY_INLINE: _ClassVar[ReviewDelivery]
    REVIEW_DELIVERY_DETACHED: _ClassVar[ReviewDelivery]
REVIEW_DELIVERY_UNSPECIFIED: ReviewDelivery
REVIEW_DELIVERY_INLINE: ReviewDelivery
REVIEW_DELIVERY_DETACHED: ReviewDelivery

class ReviewStartParams(_message.Message):
    __slots__ = ("thread_id", "target", "delivery")
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_FIELD_NUMBER: _ClassVar[int]
    thread_id: str
    target: ReviewTarget
    delivery: ReviewDelivery
    def __init__(self, thread_id: _Optional[str] = ..., target: _Optional[_Union[ReviewTarget, _Mapping]] = ..., delivery: _Optional[_Union[ReviewDelivery, str]] = ...) -> None: ...

class ReviewTarget(_message.Message):
    __slots__ = ("uncommitted_changes", "base_branch", "commit", "custom")
    class UncommittedChanges(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    class BaseBranch(_message.Message):
        __slots__ = ("branch",)
        BRANCH_FIELD_NUMBER: _ClassVar[int]
        branch: str
        def __init__(self, branch: _Optional[str] = ...) -> None: ...
    class Commit(_message.Message):
        __slots__ = ("sha", "title")
        SHA_FIELD_NUMBER: _ClassVar[int]
        TITLE_FIELD_NUMBER: _ClassVar[int]
        sha: str
        title: str
        def __init__(self, sha: _Optional[str] = ..., title: _Optional[str] = ...) -> None: ...
    class Custom(_message.Message):
        __slots__ = ("instructions",)
        INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
        instructions: str
        def __init__(self, instructions: _Optional[str] = ...) -> None: ...
    UNCOMMITTED_CHANGES_FIELD_NUMBER: _ClassVar[int]
    BASE_BRANCH_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_FIELD_NUMBER: _ClassVar[int]
    uncommitted_changes: ReviewTarget.UncommittedChanges
    base_branch: ReviewTarget.BaseBranch
    commit: ReviewTarget.Commit
    custom: ReviewTarget.Custom
    def __init__(self, uncommitted_changes: _Optional[_Union[ReviewTarget.UncommittedChanges, _Mapping]] = ..., base_branch: _Optional[_Union[ReviewTarget.BaseBranch, _Mapping]] = ..., commit: _Optional[_Union[ReviewTarget.Commit, _Mapping]] = ..., custom: _Optional[_Union[ReviewTarget.Custom, _Mapping]] = ...) -> None: ...

class ReviewStartResponse(_message.Message):
    __slots__ = ("turn", "review_thread_id")
    TURN_FIELD_NUMBER: _ClassVar[int]
    REVIEW_THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    turn: _thread_pb2.Turn
    review_thread_id: str
    def __init__(self, turn: _Optional[_Union[_thread_pb2.Turn, _Mapping]] = ..., review_thread_id: _Optional[str] = ...) -> None: ...
