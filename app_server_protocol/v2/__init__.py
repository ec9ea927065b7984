"""Generated modules of package app_server_protocol.v2 (see scripts/gen_proto.py)."""
