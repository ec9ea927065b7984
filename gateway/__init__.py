"""The gateway: stdio / websocket JSON-RPC in front, the core over gRPC behind."""
