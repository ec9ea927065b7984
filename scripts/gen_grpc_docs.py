"""Write docs/GRPC.md, the reference of the core's gRPC API, from the proto files.

Usage: python scripts/gen_grpc_docs.py [OUT_FILE]

Everything in the page comes from the contract itself: services, rpcs, their
types, JSON-RPC method names and `(connection_required)` marks from the
descriptors; the comments (the session contract included) from the .proto
sources (protoc with source info); the error mapping from
`app_server_protocol.errors`. A test renders the page and fails when the
committed file differs.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
OUT = ROOT / "docs" / "GRPC.md"
CONTRACT_MARK = "THE SESSION CONTRACT"
# SourceCodeInfo paths: FileDescriptorProto.message_type = 4, .service = 6,
# ServiceDescriptorProto.method = 2.
MESSAGE, SERVICE, METHOD = 4, 6, 2


@dataclass(frozen=True)
class Source:
    """The proto files as protoc parsed them, with their comments."""

    files: list[descriptor_pb2.FileDescriptorProto]

    def comment(self, file: descriptor_pb2.FileDescriptorProto, path: tuple[int, ...]) -> str:
        """The leading comment of the element at `path` in `file`, unwrapped."""
        for loc in file.source_code_info.location:
            if tuple(loc.path) == path:
                return " ".join(line.strip() for line in loc.leading_comments.splitlines()
                                if line.strip())
        return ""

    def detached(self, file: descriptor_pb2.FileDescriptorProto, mark: str) -> str:
        """The detached comment block of `file` that starts with `mark`, verbatim."""
        for loc in file.source_code_info.location:
            for block in loc.leading_detached_comments:
                if block.strip().startswith(mark):
                    return "\n".join(line[1:] if line.startswith(" ") else line
                                     for line in block.rstrip().splitlines())
        raise SystemExit(f"no comment block starting {mark!r} in {file.name}")


def parse() -> Source:
    """Run protoc over every proto file and read the descriptor set it writes."""
    include = str(resources.files("grpc_tools") / "_proto")
    names = sorted(str(p.relative_to(PROTO_DIR)) for p in PROTO_DIR.rglob("*.proto"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.pb"
        args = ["protoc", f"-I{PROTO_DIR}", f"-I{include}", "--include_source_info",
                f"--descriptor_set_out={out}", *names]
        if protoc.main(args) != 0:
            raise SystemExit("protoc failed")
        fds = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    return Source(list(fds.file))


def render(source: Source) -> str:
    """The whole page."""
    sys.path.insert(0, str(ROOT))
    # Imported only now, from the repository this script belongs to.
    from app_server_protocol.methods import SERVICE_FILE

    service_file = next(f for f in source.files if f.name == SERVICE_FILE.name)
    parts = [
        HEADER,
        "## The session contract\n\nFrom `proto/app_server_protocol/v2/service.proto`:\n\n```text\n"
        + source.detached(service_file, CONTRACT_MARK) + "\n```\n",
        _services(source, SERVICE_FILE),
        _events(),
        _server_requests(),
        _errors(),
        EXAMPLES,
    ]
    return "\n".join(parts)


def _services(source: Source, service_file: Any) -> str:
    from app_server_protocol.descriptors import option
    from app_server_protocol.v2 import options_pb2, service_pb2

    lines = ["## Services", "",
             f"Package `{service_file.package}`. Request and response messages are the "
             "JSON-RPC params and results of the method, named as the reference's types. "
             "**conn** marks an rpc that must name its connection (`(connection_required)`).",
             ""]
    proto = next(f for f in source.files if f.name == service_file.name)
    for s_index, sdesc in enumerate(service_file.services_by_name.values()):
        lines += [f"### `{sdesc.full_name}`", ""]
        about = source.comment(proto, (SERVICE, s_index))
        if about:
            lines += [about, ""]
        lines += ["| rpc | JSON-RPC method | request → response | conn |", "|---|---|---|---|"]
        notes: list[str] = []
        for m_index, m in enumerate(sdesc.methods):
            arrow = (("stream " if m.client_streaming else "") + f"`{m.input_type.name}` → "
                     + ("stream " if m.server_streaming else "") + f"`{m.output_type.name}`")
            method = f"`{option(m, options_pb2.method)}`" if option(m, options_pb2.method) else "—"
            conn = "yes" if option(m, service_pb2.connection_required) else ""
            lines.append(f"| `{m.name}` | {method} | {arrow} | {conn} |")
            comment = source.comment(proto, (SERVICE, s_index, METHOD, m_index))
            if comment:
                notes.append(f"- `{m.name}`: {comment}")
        lines += ["", *notes, ""] if notes else [""]
    return "\n".join(lines)


def _events() -> str:
    from app_server_protocol.methods import NOTIFICATION_FIELD_BY_TYPE, SERVER_NOTIFICATIONS

    lines = ["## Events (`CoreFrame.events` on Connect)", "",
             "Each `Event` carries one `ServerNotification`; the member set names the "
             "JSON-RPC notification.", "",
             "| `ServerNotification` member | message | JSON-RPC method |", "|---|---|---|"]
    for name, m in SERVER_NOTIFICATIONS.items():
        full = m.params.DESCRIPTOR.full_name
        lines.append(f"| `{NOTIFICATION_FIELD_BY_TYPE[full]}` | `{m.params.DESCRIPTOR.name}` "
                     f"| `{name}` |")
    return "\n".join([*lines, ""])


def _server_requests() -> str:
    from app_server_protocol.methods import SERVER_REQUEST_FIELD_BY_METHOD, SERVER_REQUESTS

    lines = ["## Server requests (`CoreFrame.server_requests` on Connect)", "",
             "The core asks a connection; the backend answers with a `ServerRequestReply` "
             "frame carrying the same `request_id` and the member of the same name in "
             "`ServerRequestResult` (or a `ClientError`).", "",
             "| member | params → result | JSON-RPC method |", "|---|---|---|"]
    for name, m in SERVER_REQUESTS.items():
        lines.append(f"| `{SERVER_REQUEST_FIELD_BY_METHOD[name]}` | "
                     f"`{m.params.DESCRIPTOR.name}` → `{m.result.DESCRIPTOR.name}` | `{name}` |")
    return "\n".join([*lines, ""])


def _errors() -> str:
    from app_server_protocol import errors

    codes = [("PARSE_ERROR", errors.PARSE_ERROR), ("INVALID_REQUEST", errors.INVALID_REQUEST),
             ("METHOD_NOT_FOUND", errors.METHOD_NOT_FOUND),
             ("INVALID_PARAMS", errors.INVALID_PARAMS), ("INTERNAL_ERROR", errors.INTERNAL_ERROR),
             ("SERVER_OVERLOADED", errors.SERVER_OVERLOADED)]
    rows = []
    for label, code in codes:
        status, _, _ = errors.grpc_status_for(errors.ProtocolError(code, label))
        rows.append(f"| {code} ({label.lower().replace('_', ' ')}) | `{status.name}` |")
    return ERRORS.format(
        table="\n".join(rows), details=errors.STATUS_DETAILS_KEY,
        code_key=errors.JSONRPC_CODE_KEY, data_key=errors.JSONRPC_DATA_KEY)


HEADER = """# The core's gRPC API

<!-- Generated by scripts/gen_grpc_docs.py from proto/; do not edit by hand. -->

Backends in any language drive the core over gRPC with the `.proto` files of
`proto/` alone (include path `proto/`, plus protobuf's well-known types). The
JSON-RPC gateway is one such backend.

- **Address.** The core prints `listening on: TARGET` on stderr, a gRPC
  target any gRPC library dials as is: `unix:///PATH`, or `HOST:PORT` for
  `--listen tcp://HOST:PORT` (port 0 printed as the port bound).
- **Token.** With `--token-file`, every call but health carries
  `authorization: Bearer <token>` metadata (UNAUTHENTICATED otherwise).
  With `--tls-cert`/`--tls-key` the port speaks TLS.
- **Health.** `grpc.health.v1.Health` answers for `""` and for the full name
  of every service served (NOT_SERVING once a stop has begun).
- **Reflection.** `grpc.reflection.v1.ServerReflection` and
  `grpc.reflection.v1alpha.ServerReflection` list exactly the services
  served (`ServerRequests` below is a table, never served).
- **Messages.** Field names are the proto names (`thread_id`); the JSON-RPC
  wire names, enum strings and union tags are proto options
  (`options.proto`) that generic tooling does not read. Every enum's zero is
  `*_UNSPECIFIED`: never valid on input, never sent. Requests are validated
  as the JSON path validates them (an unset union is "missing field `type`").
"""

ERRORS = """## Errors

A failed call ends with a gRPC status whose message is the JSON-RPC error's
stable message ("thread not found: <id>"). The JSON-RPC error object itself
(`{{code, message, data}}`) is in the standard rich status
`{details}`: a `google.rpc.Status` whose one detail is a
`google.protobuf.Any` of `app_server_protocol.JSONRPCErrorError`
(`jsonrpc.proto`). For clients without the `google.rpc` protos the same code
is in the `{code_key}` trailer and, when set, the data as JSON in
`{data_key}`.

| JSON-RPC code | gRPC status |
|---|---|
{table}

Breaking the session contract is not a JSON-RPC error and carries no details:

- `INVALID_ARGUMENT` (the message names the key): a `(connection_required)`
  rpc without `x-gateway-session` and `x-connection-id`; one of them without
  the other; an `x-request-seq` that is not a decimal integer >= 0.
- `FAILED_PRECONDITION`: a call naming a session that is not attached.
- `INVALID_ARGUMENT` on Connect: a first frame that is not a hello, an empty
  session, a metadata session other than the hello's, no hello within 10 s.
- `ALREADY_EXISTS` on Connect: the session is attached already (no `takeover`).
- `ABORTED`: how the stream a takeover replaced ends.
"""

EXAMPLES = """## Examples

With grpcurl (reflection, so no proto files needed) against
`--listen tcp://127.0.0.1:50051`:

```sh
grpcurl -plaintext 127.0.0.1:50051 list
grpcurl -plaintext 127.0.0.1:50051 describe app_server_protocol.v2.TurnService
grpcurl -plaintext -d '{"service": "app_server_protocol.v2.ThreadService"}' \\
  127.0.0.1:50051 grpc.health.v1.Health/Check
grpcurl -plaintext -d '{}' 127.0.0.1:50051 app_server_protocol.v2.ThreadService/ThreadList
grpcurl -plaintext -d '{"thread_id": "nope"}' \\
  127.0.0.1:50051 app_server_protocol.v2.ThreadService/ThreadRead
```

From Node.js with `@grpc/grpc-js` and `@grpc/proto-loader` (the whole
session is `tests/e2e/node/session.mjs`, run by `tests/e2e/test_node_client.py`):

```js
import grpc from "@grpc/grpc-js";
import loader from "@grpc/proto-loader";

const def = loader.loadSync("app_server_protocol/v2/service.proto",
  { includeDirs: ["proto"], defaults: true, oneofs: true });
const v2 = grpc.loadPackageDefinition(def).app_server_protocol.v2;
const creds = grpc.credentials.createInsecure();
const session = new v2.SessionService("127.0.0.1:50051", creds);
const threads = new v2.ThreadService("127.0.0.1:50051", creds);

// 1. Attach: the hello names the session; the first frame acknowledges it.
const stream = session.Connect();
stream.write({ hello: { gateway_session: "my-backend-1" } });
await new Promise((ok) => stream.once("data", (f) => f.attached && ok()));
stream.on("data", (frame) => frame.events.forEach((e) => console.log(e.notification)));

// 2. Calls name their connection (and sequence number) in metadata.
const md = new grpc.Metadata();
md.set("x-gateway-session", "my-backend-1");
md.set("x-connection-id", "conn-1");
md.set("x-request-seq", "1");
threads.ThreadStart({}, md, (err, res) => console.log(err ?? res.thread.id));
```
"""


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    target.write_text(render(parse()), encoding="utf-8")
