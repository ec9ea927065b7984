from app_server_protocol.v2 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FuzzyFileSearchParams(_message.Message):
    __slots__ = ("query", "roots", "cancellation_token")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ROOTS_FIELD_NUMBER: _ClassVar[int]
    CANCELLATION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    query: str
    roots: _containers.RepeatedScalarFieldContainer[str]
    cancellation_token: str
    def __init__(self, query: _Optional[str] = ..., roots: _Optional[_Iterable[str]] = ..., cancellation_token: _Optional[str] = ...) -> None: ...

class FuzzyFileSearchResponse(_message.Message):
    __slots__ = ("files",)
    FILES_FIELD_NUMBER: _ClassVar[int]
    files: _containers.RepeatedCompositeFieldContainer[FuzzyFileSearchResult]
    def __init__(self, files: _Optional[_Iterable[_Union[FuzzyFileSearchResult, _Mapping]]] = ...) -> None: ...

class FuzzyFileSearchResult(_message.Message):
    __slots__ = ("root", "path", "file_name", "score", "indices")
    ROOT_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    INDICES_FIELD_NUMBER: _ClassVar[int]
    root: str
    path: str
    file_name: str
    score: int
    indices: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, root: _Optional[str] = ..., path: _Optional[str] = ..., file_name: _Optional[str] = ..., score: _Optional[int] = ..., indices: _Optional[_Iterable[int]] = ...) -> None: ...

class FuzzyFileSearchSessionStartParams(_message.Message):
    __slots__ = ("session_id", "roots")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ROOTS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    roots: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, session_id: _Optional[str] = ..., roots: _Optional[_Iterable[str]] = ...) -> None: ...

class FuzzyFileSearchSessionStartResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class FuzzyFileSearchSessionUpdateParams(_message.Message):
    __slots__ = ("session_id", "query")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    query: str
    def __init__(self, session_id: _Optional[str] = ..., query: _Optional[str] = ...) -> None: ...

class FuzzyFileSearchSessionUpdateResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class FuzzyFileSearchSessionStopParams(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class FuzzyFileSearchSessionStopResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class FuzzyFileSearchSessionUpdatedNotification(_message.Message):
    __slots__ = ("session_id", "query", "files")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    query: str
    files: _containers.RepeatedCompositeFieldContainer[FuzzyFileSearchResult]
    def __init__(self, session_id: _Optional[str] = ..., query: _Optional[str] = ..., files: _Optional[_Iterable[_Union[FuzzyFileSearchResult, _Mapping]]] = ...) -> None: ...

class FuzzyFileSearchSessionCompletedNotification(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...
