"""The generated TypeScript: layout, member conventions, and `tsc --strict` compilation.

The compiler is installed with npm into `<repo>/.cache/ts` on first use; the
compile tests skip (saying why) when node/npm are absent or the install fails
(offline).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from app_server_protocol import methods
from app_server_protocol.ts_export import build_typescript, write_typescript

REPO_ROOT = Path(__file__).resolve().parents[3]
TS_CACHE = REPO_ROOT / ".cache" / "ts"
TSC = TS_CACHE / "node_modules" / ".bin" / "tsc"
TSC_FLAGS = [
    "--strict",
    "--noEmit",
    "--target",
    "es2020",
    "--module",
    "commonjs",
    "--moduleResolution",
    "node10",
]


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    """The generated TypeScript files, by relative path."""
    return build_typescript()


@pytest.fixture(scope="module")
def tsc() -> Path:
    """Path of a TypeScript 5 compiler (installed into .cache/ts when missing)."""
    if TSC.exists():
        return TSC
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node/npm not installed: cannot compile the generated TypeScript")
    TS_CACHE.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run(
            [npm, "install", "--prefix", str(TS_CACHE), "--no-audit", "--no-fund", "typescript@5"],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.skip("npm install typescript@5 timed out (offline?)")
    if proc.returncode != 0 or not TSC.exists():
        pytest.skip(f"npm install typescript@5 failed (offline?): {proc.stderr[-500:]}")
    return TSC


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The TypeScript output written to a temporary folder (`<tmp>/gen`)."""
    out = tmp_path_factory.mktemp("ts") / "gen"
    write_typescript(out)
    return out


def _compile(tsc: Path, paths: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(tsc), *TSC_FLAGS, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --------------------------------------------------------------------------
# `field?: T | null` detection


def optional_nullable_members(source: str) -> list[str]:
    """Members written `name?: T | null` (null at the top level of T)."""
    found: list[str] = []
    i = source.find("?:")
    while i != -1:
        depth = 0
        j = i + 2
        while j < len(source):
            c = source[j]
            if c in "{(<[":
                depth += 1
            elif c in "})>]":
                if depth == 0:
                    break
                depth -= 1
            elif c in ",;" and depth == 0:
                break
            j += 1
        ty = source[i + 2 : j]
        top, depth = [], 0
        for c in ty:
            if c in "{(<[":
                depth += 1
            elif c in "})>]":
                depth -= 1
            elif depth == 0:
                top.append(c)
        if "null" in [p.strip() for p in "".join(top).split("|")]:
            found.append(source[max(0, i - 30) : j])
        i = source.find("?:", i + 2)
    return found


def test_detector_finds_optional_nullable_members() -> None:
    """The `?: T | null` detector flags nullable optional members only."""
    assert optional_nullable_members("{ a?: string | null, }")
    assert optional_nullable_members("{ a?: { b: string } | null }")
    assert optional_nullable_members("{ a?: null | Array<string>; }")
    assert not optional_nullable_members("{ a?: string, b: string | null, }")
    assert not optional_nullable_members("{ [key in string]?: JsonValue } | null")
    assert not optional_nullable_members("{ a?: Array<string | null>, }")


def test_no_optional_nullable_members(files: dict[str, str]) -> None:
    """No generated member is `field?: T | null` (optional means `T | null` xor `?:`)."""
    offenders = {rel: optional_nullable_members(text) for rel, text in files.items()}
    assert not {k: v for k, v in offenders.items() if v}


# --------------------------------------------------------------------------
# Layout and conventions (no compiler needed)


def test_layout(files: dict[str, str]) -> None:
    """Root types and unions at the top, v2 types under v2/, index files, JsonValue."""
    for name in ("RequestId", "JSONRPCRequest", "JSONRPCMessage", "InitializeParams"):
        assert f"export type {name} = " in files[f"{name}.ts"]
    for name in ("ClientRequest", "ServerRequest", "ServerNotification", "ClientNotification"):
        assert f"export type {name} = " in files[f"{name}.ts"]
    assert "export type ThreadStartParams = " in files["v2/ThreadStartParams.ts"]
    assert (
        files["serde_json/JsonValue.ts"]
        .rstrip()
        .endswith(
            "export type JsonValue = number | string | boolean | Array<JsonValue> "
            "| { [key in string]?: JsonValue } | null;"
        )
    )
    index = files["index.ts"]
    assert 'export * as v2 from "./v2";' in index
    assert 'export type { ClientRequest } from "./ClientRequest";' in index
    assert "ThreadStartParams" not in index
    assert 'export type { ThreadStartParams } from "./ThreadStartParams";' in files["v2/index.ts"]
    assert not any("GatewayFrame" in rel or "UnionKind" in rel for rel in files)


def test_member_conventions(files: dict[str, str]) -> None:
    """Optional → `T | null`; omit_unset → `?: T`; declaration order; tagged variants."""
    start = files["v2/ThreadStartParams.ts"]
    assert "= { model: string | null, modelProvider: string | null, cwd: string | null, " in start
    assert 'import type { AskForApproval } from "./AskForApproval";' in start
    assert "config: { [key in string]?: JsonValue } | null" in start
    assert 'import type { JsonValue } from "../serde_json/JsonValue";' in start
    notif = files["v2/ThreadNameUpdatedNotification.ts"]
    assert "{ threadId: string, threadName?: string, }" in notif
    item = files["v2/ThreadItem.ts"]
    assert '{ "type": "userMessage", id: string, content: Array<UserInput>, }' in item
    assert '{ "type": "contextCompaction", id: string, }' in item
    assert (
        files["v2/SessionSource.ts"]
        .rstrip()
        .endswith(
            'export type SessionSource = "cli" | "vscode" | "exec" | "appServer" | "unknown" '
            '| { "subAgent": SubAgentSource };'
        )
    )
    assert "export type RequestId = string | number;" in files["RequestId.ts"]
    assert "= Record<string, never>;" in files["v2/ThreadArchiveResponse.ts"]
    config = files["v2/Config.ts"]
    assert "} & ({ [key in string]?: JsonValue });" in config
    assert "extra" not in config
    request = files["JSONRPCRequest.ts"]
    assert "{ id: RequestId, method: string, params?: JsonValue, }" in request
    client = files["ClientRequest.ts"]
    assert '{ "method": "account/logout", id: RequestId, params?: LogoutAccountParams, }' in client
    assert '{ "method": "thread/start", id: RequestId, params: ThreadStartParams, }' in client
    assert 'import type { ThreadStartParams } from "./v2/ThreadStartParams";' in client
    server = files["ServerNotification.ts"]
    assert '{ "method": "error", params: ErrorNotification, }' in server
    assert (
        files["ClientNotification.ts"]
        .rstrip()
        .endswith('export type ClientNotification = { "method": "initialized", };')
    )


def test_named_string_types(files: dict[str, str]) -> None:
    """AbsolutePathBuf and ThreadId are root string types, used where the reference uses them."""
    assert files["AbsolutePathBuf.ts"].endswith("export type AbsolutePathBuf = string;\n")
    assert files["ThreadId.ts"].endswith("export type ThreadId = string;\n")
    policy = files["v2/SandboxPolicy.ts"]
    assert 'import type { AbsolutePathBuf } from "../AbsolutePathBuf";' in policy
    assert "writableRoots: Array<AbsolutePathBuf>" in policy
    assert "parent_thread_id: ThreadId" in files["v2/SubAgentSource.ts"]


def test_imports_point_at_generated_files(files: dict[str, str]) -> None:
    """Every `import type` names a file that is generated, relative to the importer."""
    for rel, text in files.items():
        base = Path(rel).parent
        for line in text.splitlines():
            if not line.startswith("import type"):
                continue
            target = line.split('from "', 1)[1].rstrip('";')
            resolved = (base / target).as_posix()
            # Normalise "a/../b" without touching the filesystem.
            parts: list[str] = []
            for p in resolved.split("/"):
                if p == "..":
                    parts.pop()
                elif p not in ("", "."):
                    parts.append(p)
            assert "/".join(parts) + ".ts" in files, (rel, line)


def test_unions_list_every_method(files: dict[str, str]) -> None:
    """The TS method unions have one variant per method of the tables."""
    for rel, table in (
        ("ClientRequest.ts", methods.CLIENT_REQUESTS),
        ("ServerRequest.ts", methods.SERVER_REQUESTS),
        ("ServerNotification.ts", methods.SERVER_NOTIFICATIONS),
    ):
        text = files[rel]
        assert text.count('"method": ') == len(table), rel
        for name in table:
            assert f'"method": "{name}"' in text, (rel, name)


# --------------------------------------------------------------------------
# Compilation


def test_generated_typescript_compiles_strict(tsc: Path, generated: Path) -> None:
    """Every generated file type-checks under `tsc --strict --noEmit`."""
    paths = sorted(generated.rglob("*.ts"))
    proc = _compile(tsc, paths)
    assert proc.returncode == 0, proc.stdout + proc.stderr


CLIENT = """\
import { v2 } from "./gen";
import type { ClientRequest, ServerNotification, ServerRequest, JSONRPCMessage } from "./gen";

const params: v2.ThreadStartParams = {
  model: "gpt-5", modelProvider: null, cwd: "/tmp", approvalPolicy: "on-request",
  sandbox: "workspace-write", config: { model: "x", nested: [1, "a", null] },
  baseInstructions: null, developerInstructions: null, personality: null, ephemeral: null,
};
export const start: ClientRequest = { method: "thread/start", id: 1, params };
export const logout: ClientRequest = { method: "account/logout", id: "a" };
export const item: v2.ThreadItem = { type: "agentMessage", id: "i", text: "hello" };
export const env: JSONRPCMessage = { id: 3, error: { code: -32600, message: "bad" } };

export function describe(n: ServerNotification): string {
  switch (n.method) {
    case "item/agentMessage/delta":
      return n.params.delta;
    case "thread/started":
      return n.params.thread.id + (n.params.thread.path ?? "");
    case "thread/name/updated":
      return n.params.threadName ?? "";
    default:
      return n.method;
  }
}

export function answer(r: ServerRequest): v2.CommandExecutionRequestApprovalResponse | null {
  if (r.method === "item/commandExecution/requestApproval") {
    return { decision: { acceptWithExecpolicyAmendment: { execpolicy_amendment: ["ls"] } } };
  }
  return null;
}
"""

BAD_CLIENT = """\
import { v2 } from "./gen";

export const params: v2.ThreadStartParams = {
  model: 3, modelProvider: null, cwd: null, approvalPolicy: null, sandbox: null, config: null,
  baseInstructions: null, developerInstructions: null, personality: null, ephemeral: null,
};
"""


def test_client_using_the_index_compiles(tsc: Path, generated: Path) -> None:
    """A client importing `{ v2 }` and the unions from the index type-checks."""
    client = generated.parent / "client.ts"
    client.write_text(CLIENT, encoding="utf-8")
    proc = _compile(tsc, [client])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_wrong_client_code_is_rejected(tsc: Path, generated: Path) -> None:
    """The compile check has teeth: a mistyped ThreadStartParams fails to compile."""
    client = generated.parent / "bad_client.ts"
    client.write_text(BAD_CLIENT, encoding="utf-8")
    proc = _compile(tsc, [client])
    assert proc.returncode != 0
    errors = [line for line in proc.stdout.splitlines() if "error TS" in line]
    assert len(errors) == 1 and "bad_client.ts(4," in errors[0], proc.stdout


def test_cli_generate_ts(tmp_path: Path) -> None:
    """`generate-ts --out DIR` (cli_generate) writes the TypeScript tree and exits 0."""
    import argparse

    from app_server.cli_generate import add_generate_commands

    parser = argparse.ArgumentParser(prog="app-server")
    add_generate_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["generate-ts", "--out", str(tmp_path / "ts")])
    assert args.func(args) == 0
    assert (tmp_path / "ts" / "index.ts").is_file()
    assert (tmp_path / "ts" / "v2" / "index.ts").is_file()
    assert (tmp_path / "ts" / "serde_json" / "JsonValue.ts").is_file()
