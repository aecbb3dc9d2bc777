"""Greenroom's benchmark suite (issue 8): ``python -m benchmarks``.

Each scenario is measured against a baseline taken in the same run on the same
machine, and compared with the goal the issue sets. See ``benchmarks/README.md``.
"""
