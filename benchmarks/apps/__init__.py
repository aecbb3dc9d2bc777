"""Standalone server scripts the suite starts as subprocesses (run as files, not imported).

Each imports only what the stack it stands for needs, so that the suite's own
imports never count against it.
"""
