"""TurnService and the agent loop: turns, sampling, items, compaction."""
