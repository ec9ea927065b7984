"""Where a command runs: the sandbox policy of a turn and its enforcement (bubblewrap)."""
