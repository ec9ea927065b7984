// A backend in Node.js: drives a real core through a whole session with the
// .proto files alone (no project code), as docs/GRPC.md describes it.
//
// Usage: node session.mjs TARGET SESSION INCLUDE_DIR...
// Prints one JSON object on stdout (what it saw); exits non-zero on any
// failure. Every call has a deadline and the whole run a time limit.
import fs from "node:fs";
import path from "node:path";

import grpc from "@grpc/grpc-js";
import loader from "@grpc/proto-loader";
import protobuf from "protobufjs";

const [target, session, ...includeDirs] = process.argv.slice(2);
const LIMIT_MS = 30_000;
const CALL_MS = 15_000;
setTimeout(() => {
  console.error("session.mjs: time limit reached");
  process.exit(3);
}, LIMIT_MS).unref();

const definition = loader.loadSync("app_server_protocol/v2/service.proto", {
  includeDirs, keepCase: true, defaults: true, oneofs: true, longs: String, enums: String,
});
const v2 = grpc.loadPackageDefinition(definition).app_server_protocol.v2;
const creds = grpc.credentials.createInsecure();
const sessions = new v2.SessionService(target, creds);
const threads = new v2.ThreadService(target, creds);
const turns = new v2.TurnService(target, creds);

// protobufjs for what proto-loader does not decode: the rich error status.
const errorRoot = new protobuf.Root();
errorRoot.resolvePath = (origin, file) => {
  for (const dir of includeDirs) {
    const candidate = path.join(dir, file);
    if (fs.existsSync(candidate)) return candidate;
  }
  return protobuf.util.path.resolve(origin, file);
};
errorRoot.loadSync(["google/rpc/status.proto", "app_server_protocol/jsonrpc.proto"],
  { keepCase: true });
const RpcStatus = errorRoot.lookupType("google.rpc.Status");

function metadata(conn, seq) {
  const md = new grpc.Metadata();
  md.set("x-gateway-session", session);
  md.set("x-connection-id", conn);
  md.set("x-request-seq", String(seq));
  return md;
}

function unary(client, rpc, request, md = new grpc.Metadata()) {
  return new Promise((resolve, reject) => {
    client[rpc](request, md, { deadline: Date.now() + CALL_MS },
      (err, response) => (err ? reject(err) : resolve(response)));
  });
}

// 1. Attach: the hello names the session, the first frame acknowledges it.
const stream = sessions.Connect();
const events = [];
let onEvent = () => {};
const attached = new Promise((resolve, reject) => {
  stream.once("data", (frame) => (frame.attached ? resolve(frame.attached)
    : reject(new Error(`first frame is not the ack: ${JSON.stringify(frame)}`))));
  stream.once("error", reject);
});
stream.write({ hello: { gateway_session: session } });
const ack = await attached;
stream.on("data", (frame) => {
  for (const event of frame.events) {
    events.push(event);
    onEvent(event);
  }
});
stream.on("error", () => {});

function waitEvent(kind) {
  const seen = events.find((e) => e.notification.notification === kind);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => {
    onEvent = (e) => e.notification.notification === kind && resolve(e);
  });
}

// 2. initialize, thread/start and turn/start for connection "conn-1".
const init = await unary(sessions, "Initialize",
  { client_info: { name: "node_backend", version: "1.0.0" } }, metadata("conn-1", 1));
const started = await unary(threads, "ThreadStart", {}, metadata("conn-1", 2));
const threadId = started.thread.id;
const completed = waitEvent("turn_completed");
await unary(turns, "TurnStart",
  { thread_id: threadId, input: [{ text: { text: "hello from node" } }] },
  metadata("conn-1", 3));
const done = await completed;

// 3. Read it back (no identity needed for a read).
const read = await unary(threads, "ThreadRead", { thread_id: threadId, include_turns: true });
const items = read.thread.turns.flatMap((t) => t.items);
const agent = items.find((i) => i.value === "agent_message");

// 4. A structured error: an unknown thread.
let error = null;
try {
  await unary(threads, "ThreadRead", { thread_id: "00000000-0000-7000-8000-000000000000" });
} catch (err) {
  const details = err.metadata.get("grpc-status-details-bin")[0];
  const status = RpcStatus.decode(details);
  const any = status.details[0];
  const jsonrpc = errorRoot.lookupType(any.type_url.split("/").pop()).decode(any.value);
  error = {
    code: grpc.status[err.code],
    details: err.details,
    trailer_code: err.metadata.get("x-jsonrpc-code")[0] ?? null,
    status_detail_type: any.type_url,
    jsonrpc: { code: Number(jsonrpc.code), message: jsonrpc.message },
  };
}

// 5. Calls that break the contract are refused, not served anonymously.
let anonymous = null;
try {
  await unary(threads, "ThreadStart", {});
} catch (err) {
  anonymous = { code: grpc.status[err.code], details: err.details };
}

stream.end();
stream.cancel();
for (const client of [sessions, threads, turns]) client.close();
console.log(JSON.stringify({
  ack,
  user_agent: init.user_agent,
  thread_id: threadId,
  event_kinds: [...new Set(events.map((e) => e.notification.notification))],
  event_targets: [...new Set(events.flatMap((e) => e.to.connection_ids))],
  completed: { thread_id: done.notification.turn_completed.thread_id,
    status: done.notification.turn_completed.turn.status },
  agent_text: agent ? agent.agent_message.text : null,
  error,
  anonymous,
}));
process.exit(0);
