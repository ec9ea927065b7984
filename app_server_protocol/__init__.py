"""Codex app-server protocol v2: generated protobuf modules, JSON codec, method tables, schema export."""
