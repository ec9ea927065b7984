"""CommandService: command/exec."""
