"""The version of the greenroom distribution."""

__version__ = "0.1.0.dev0"
