"""The store: append-only JSONL rollouts per thread and the SQLite thread index."""
