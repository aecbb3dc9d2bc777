"""Wiring: collecting features, resolving services, starting and stopping the backend."""
