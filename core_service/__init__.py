"""The core service: threads, turns, the agent loop, persistence, auth and config over gRPC."""
