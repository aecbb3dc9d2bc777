"""The ``greenroom`` command line (click); each command group lives in its own module.

Commands import what they need when they run, so ``greenroom --help`` stays fast.
"""

from greenroom.cli.main import main

__all__ = ["main"]
