"""The tools the model may call: their specs, their handlers, their approvals."""
