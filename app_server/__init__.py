"""Command line entry point (`app-server`)."""
