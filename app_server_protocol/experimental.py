"""Which experimental member a request's params use, as the reference decides it.

Without the `experimentalApi` capability the reference refuses a request
whose params use an experimental field, naming the first one in declaration
order: `thread/start.dynamicTools requires experimentalApi capability`. It
checks only once the params have deserialised, so a malformed request gets
its decode error first. The contract keeps the marks as data: modelled
fields and union variants carry `(experimental_field)`, members the contract
does not model are listed by the message option `(experimental_member)`
(with the name the refusal gives when the reference's differs from the wire
name). A field is used when its value is not null, false or `[]` (the
reference's rule for its `Option`, `bool` and `Vec` fields: `dynamicTools:
[]` and `experimentalRawEvents: false` pass); a variant is used when selected.

The decoder of a type asks `gate_for(type)` when it is built (at start, by
`codec.build_all`) and calls the gate on the JSON params of every request
made without the capability.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from google.protobuf import descriptor as _d

from app_server_protocol.descriptors import (
    TAGGED,
    experimental_members,
    object_fields,
    union_of,
)

Gate = Callable[[Any], "str | None"]
"""JSON params (already decoded once) -> name of the first experimental member used, or None."""


@dataclass(frozen=True)
class ExperimentalMark:
    """One experimental member of a params message, as the refusal names it."""

    key: str
    """JSON member (`dynamicTools`), or the tag member of a union (`type`)."""
    reason: str
    """The name in `<method>.<reason> requires experimentalApi capability`."""
    tag: str | None = None
    """For a union variant: the tag value that selects it."""

    def used(self, data: dict[str, Any]) -> bool:
        """True when the JSON object `data` uses this member."""
        v = data.get(self.key)
        if self.tag is not None:
            return v == self.tag
        return v is not None and v is not False and v != []


@cache
def marks(desc: _d.Descriptor) -> tuple[ExperimentalMark, ...]:
    """The experimental members of a params message, in the order they are checked.

    Modelled fields (or the variants of a union) first, in declaration order,
    then the unmodelled `(experimental_member)`s in the order listed. An
    experimental variant of a union that is not internally tagged cannot be
    told by name and is refused here (a bad annotation fails at start).
    """
    found: list[ExperimentalMark] = []
    union = union_of(desc)
    if union is not None:
        for v in union.variants:
            if not v.experimental:
                continue
            if union.kind != TAGGED:
                raise RuntimeError(f"{desc.full_name}: experimental variant of a non-tagged union")
            found.append(ExperimentalMark(key=union.tag_field, reason=v.tag, tag=v.tag))
    else:
        for shape in object_fields(desc):
            if shape.experimental:
                found.append(ExperimentalMark(key=shape.key, reason=shape.key))
    for m in experimental_members(desc):
        found.append(ExperimentalMark(key=m.name, reason=m.reason))
    return tuple(found)


@cache
def gate_for(desc: _d.Descriptor) -> Gate | None:
    """The gate of a params message type, or None when it has no experimental member."""
    checks = marks(desc)
    if not checks:
        return None

    def gate(data: Any) -> str | None:
        if type(data) is not dict:
            return None
        for mark in checks:
            if mark.used(data):
                return mark.reason
        return None

    return gate
