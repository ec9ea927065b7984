"""Notices the core sends about its own configuration."""
