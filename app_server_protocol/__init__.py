"""Codex app-server protocol v2: generated modules, JSON codec, method tables, schema export."""
