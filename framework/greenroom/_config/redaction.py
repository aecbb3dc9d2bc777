"""Hiding secret config values in log records: ``***`` wherever a secret would show.

The values at ``visibility: secret`` paths (and the pieces of them that came
from ``${VAR}``, ``$env`` or ``$file``) are registered with a
:class:`Redactor`. A :class:`RedactingFilter` rewrites every record it sees
before any formatter renders it: the message with its arguments, the text of
the exception and its traceback, the stack, and string fields.

Where the filter is installed (issue 6):

- on the handler Greenroom installs on the root logger, which covers every
  record that handler prints, whichever logger it came from (uvicorn, a
  plugin's ``logging.getLogger(__name__)``, ...);
- on the ``greenroom`` logger and each ``greenroom.*`` logger that exists when
  the backend starts, and on each plugin logger (``greenroom.plugin.<id>``)
  as it is made, which covers their records whichever handlers the app
  configured itself (``dictConfig``, pytest's ``caplog``).

A logger-level filter only sees records logged on that very logger, so an
app that configures logging itself and wants other loggers redacted too adds
``RedactingFilter()`` to its own handlers.

The secrets are process-wide, like logging itself: a value once registered
stays hidden for the life of the process.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable
from typing import Any, Final

from greenroom._config.visibility import REDACTED

__all__ = [
    "RedactingFilter",
    "Redactor",
    "default_redactor",
    "install_redaction",
    "redact_value",
]

_GREENROOM_LOGGER: Final = "greenroom"


class Redactor:
    """Replaces registered secret values in text by ``***``.

    Thread-safe: ``add`` builds a new pattern under a lock and swaps it in,
    ``redact`` reads whichever pattern is current.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: frozenset[str] = frozenset()
        self._pattern: re.Pattern[str] | None = None
        self.add(secrets)

    @property
    def secrets(self) -> frozenset[str]:
        """Every text that is replaced, including the escaped forms of each secret."""
        return self._secrets

    def add(self, secrets: Iterable[str]) -> None:
        """Hide ``secrets`` from now on.

        As in Backstage, a secret of one character or none (after trimming) is
        ignored: it is a placeholder, and hiding it would mask that character
        in every line.
        """
        forms = {form for secret in secrets if len(secret.strip()) > 1 for form in _forms(secret)}
        with self._lock:
            if forms <= self._secrets:
                return
            self._secrets = self._secrets | forms
            # Longest first, so that a secret containing another is replaced whole.
            ordered = sorted(self._secrets, key=lambda text: (-len(text), text))
            self._pattern = re.compile("|".join(map(re.escape, ordered)))

    def clear(self) -> None:
        """Forget every secret (for tests that need a fresh process-wide redactor)."""
        with self._lock:
            self._secrets, self._pattern = frozenset(), None

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        pattern = self._pattern
        return text if pattern is None else pattern.sub(REDACTED, text)

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __repr__(self) -> str:
        return f"<Redactor of {len(self._secrets)} text(s)>"


def _forms(secret: str) -> set[str]:
    """The ways ``secret`` can appear in a log line: as is, stripped, and escaped.

    ``$file`` values often end with a newline that messages strip; a repr
    (``ValueError(f"bad {token!r}")``) or a JSON dump escapes quotes,
    backslashes and newlines.
    """
    forms = {
        secret,
        secret.strip(),
        repr(secret)[1:-1],
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    return {form for form in forms if len(form) > 1}


_DEFAULT: Final = Redactor()


def default_redactor() -> Redactor:
    """The process-wide redactor every backend registers its secrets with."""
    return _DEFAULT


class RedactingFilter(logging.Filter):
    """A logging filter that redacts records in place and never drops one.

    Add it to a handler to redact everything the handler emits, or to a
    logger to redact that logger's own records. ``redactor`` defaults to the
    process-wide one, so ``{"()": "greenroom.RedactingFilter"}`` works in a
    ``dictConfig``.
    """

    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self.redactor = _DEFAULT if redactor is None else redactor

    def filter(self, record: logging.LogRecord) -> bool:
        redactor = self.redactor
        if not redactor:  # nothing secret: leave the record alone
            return True
        message = _message(record)
        redacted = redactor.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info or record.exc_text:
            text = record.exc_text or _format_exception(record)
            clean = redactor.redact(text)
            if clean != text or record.exc_text:
                # The exception object itself still holds the secret, so formatters must
                # not render it again: they print exc_text when exc_info is unset.
                record.exc_text, record.exc_info = clean, None
        if record.stack_info:
            record.stack_info = redactor.redact(record.stack_info)
        for name, value in list(vars(record).items()):
            if name.startswith("greenroom_") or name in _RECORD_ATTRIBUTES:
                continue
            if isinstance(value, str):
                setattr(record, name, redactor.redact(value))
        return True


# The standard LogRecord attributes: ``extra`` fields are everything else.
_RECORD_ATTRIBUTES: Final = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a bad format string: logging would print msg and args as they are
        return f"{record.msg!s} (arguments: {record.args!r})"


def _format_exception(record: logging.LogRecord) -> str:
    return logging.Formatter().formatException(record.exc_info) if record.exc_info else ""


def _has_filter(target: logging.Filterer, redactor: Redactor) -> bool:
    return any(
        isinstance(item, RedactingFilter) and item.redactor is redactor for item in target.filters
    )


def install_redaction(
    *, handler: logging.Handler | None = None, loggers: Iterable[str] = (), greenroom: bool = False
) -> None:
    """Add the process-wide :class:`RedactingFilter` where it is missing.

    ``handler``: a handler to cover; ``loggers``: logger names to cover;
    ``greenroom``: also the ``greenroom`` logger and every ``greenroom.*``
    logger that exists now.
    """
    targets: list[logging.Filterer] = [] if handler is None else [handler]
    names = list(loggers)
    if greenroom:
        names.append(_GREENROOM_LOGGER)
        names.extend(
            name
            for name, logger in list(logging.Logger.manager.loggerDict.items())
            if name.startswith(_GREENROOM_LOGGER + ".") and isinstance(logger, logging.Logger)
        )
    targets.extend(logging.getLogger(name) for name in names)
    for target in targets:
        if not _has_filter(target, _DEFAULT):
            target.addFilter(RedactingFilter(_DEFAULT))


def redact_value(value: Any, redactor: Redactor) -> Any:
    """A copy of JSON-like ``value`` with every string redacted."""
    if isinstance(value, str):
        return redactor.redact(value)
    if isinstance(value, dict):
        return {key: redact_value(item, redactor) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_value(item, redactor) for item in value]
    return value
