"""Fakes for the agent loop's unit tests: a scripted model, a recording hub, threads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app_server_protocol import codec
from app_server_protocol.methods import NOTIFICATION_FIELD_BY_TYPE, NOTIFICATION_METHOD_BY_FIELD
from core_service.account.credentials import Credentials
from core_service.config.load import load_config
from core_service.config.schema import Config
from core_service.hub import CallInfo, ConnKey, Hub
from core_service.model import events as me
from core_service.model.client import ModelRequest
from core_service.store.records import RolloutRecord
from core_service.threads.state import LoadedThread

CALL = CallInfo(ConnKey("g1", "c1"), 7)


@dataclass
class Emitted:
    """One notification the code under test emitted, as JSON, with its addressing."""

    method: str
    params: dict[str, Any]
    thread_id: str | None
    broadcast: bool
    after: CallInfo | None


class RecordingHub(Hub):
    """A hub that keeps what is emitted instead of delivering it."""

    def __init__(self, client_info: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.emitted: list[Emitted] = []
        self._client_info = client_info

    def emit(  # type: ignore[override]
        self,
        msg: Any,
        *,
        thread_id: str | None = None,
        to: Iterable[ConnKey] | None = None,
        broadcast: bool = False,
        after: CallInfo | None = None,
    ) -> None:
        field_name = NOTIFICATION_FIELD_BY_TYPE[msg.DESCRIPTOR.full_name]
        self.emitted.append(Emitted(NOTIFICATION_METHOD_BY_FIELD[field_name], codec.to_json(msg),
                                    thread_id, broadcast, after))

    def client_info(self, key: ConnKey | None) -> dict[str, Any] | None:
        return self._client_info if key is not None else None

    def methods(self) -> list[str]:
        """The methods emitted so far, in order."""
        return [e.method for e in self.emitted]

    def of(self, method: str) -> list[dict[str, Any]]:
        """The params of every emitted `method`."""
        return [e.params for e in self.emitted if e.method == method]


class FakeModel:
    """A model client answering each request with the next script (events, then an error)."""

    def __init__(self, *scripts: Sequence[me.ModelEvent | BaseException]) -> None:
        self.scripts = list(scripts)
        self.requests: list[ModelRequest] = []
        # Set while a stream waits for `release` (a script item that is this event).
        self.waiting = asyncio.Event()
        self.release = asyncio.Event()

    async def stream(self, req: ModelRequest) -> AsyncGenerator[me.ModelEvent, None]:
        self.requests.append(req)
        script = self.scripts.pop(0) if self.scripts else [completed()]
        for step in script:
            if step is PAUSE:
                self.waiting.set()
                await self.release.wait()
            elif isinstance(step, BaseException):
                raise step
            else:
                yield step  # type: ignore[misc]


# A script step: the stream waits until the test sets `FakeModel.release`.
PAUSE = me.ResponseCreated(response_id="pause")


def credentials(tmp_path: Path) -> Credentials:
    """Credentials with an API key in the environment (the default provider's variable)."""
    return Credentials(tmp_path, Hub(), env={"OPENAI_API_KEY": "sk-test"})


@dataclass
class MemoryRecorder:
    """A recorder keeping the records in memory."""

    records: list[RolloutRecord] = field(default_factory=list)
    flushes: int = 0

    async def append(self, batch: Sequence[RolloutRecord]) -> None:
        self.records.extend(batch)

    async def flush(self, fsync: bool = True) -> None:
        self.flushes += 1

    def kinds(self) -> list[str]:
        """Each record's kind, `event_msg` ones as `event_msg:<payload type>`."""
        out = []
        for rec in self.records:
            kind = rec["type"]
            if kind == "event_msg":
                kind = f"event_msg:{rec['payload']['type']}"  # type: ignore[index]
            out.append(kind)
        return out


def config(tmp_path: Path, **changes: Any) -> Config:
    """A thread config from an empty CODEX_HOME, with `changes` applied."""
    cfg = load_config(tmp_path, env={}).config
    for key, value in changes.items():
        setattr(cfg, key, value)
    return cfg


def thread(cfg: Config, thread_id: str = "thr-1", cwd: str = "/work") -> LoadedThread:
    """A loaded thread recording into memory."""
    meta: Any = {"id": thread_id, "created_at": 1, "cwd": cwd}
    return LoadedThread(id=thread_id, meta=meta, config=cfg, recorder=MemoryRecorder())


def text(item_id: str, *deltas: str) -> list[me.ModelEvent]:
    """The events of an agent message streamed in `deltas`."""
    full = "".join(deltas)
    return [
        me.OutputItemAdded({"type": "message", "id": item_id, "role": "assistant",
                            "content": []}),
        *(me.TextDelta(item_id, d) for d in deltas),
        me.OutputItemDone({"type": "message", "id": item_id, "role": "assistant",
                           "content": [{"type": "output_text", "text": full}]}),
    ]


def completed(total: int = 10) -> me.Completed:
    """`response.completed` with some usage."""
    return me.Completed(response_id="resp", usage=me.TokenUsage(input=total - 2, output=2,
                                                                 total=total))


def user_text(value: str) -> dict[str, Any]:
    """A v2 text UserInput."""
    return {"type": "text", "text": value, "text_elements": []}


async def finished(t: LoadedThread) -> None:
    """Wait (bounded) until the thread's running turn has ended and been persisted."""
    active = t.active
    assert active is not None and active.task is not None
    async with asyncio.timeout(5):
        await asyncio.gather(active.task, return_exceptions=True)
