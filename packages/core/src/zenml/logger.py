"""Console output of pipeline runs when zenml is used as a library."""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["PlainFormatter", "UserCodeFilter", "enable_console_logging", "get_logger"]


class PlainFormatter(logging.Formatter):
    """One plain line per record; warnings and errors say so first."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            return f"Error: {message}"
        if record.levelno >= logging.WARNING:
            return f"Warning: {message}"
        return message


def _level() -> int:
    level = os.environ.get("ZENML_LOGGING_VERBOSITY", "INFO").upper()
    value = getattr(logging, level, logging.INFO)
    return value if isinstance(value, int) else logging.INFO


def _library_folders() -> tuple[str, ...]:
    """Where installed third-party packages live (site-packages, the standard library)."""
    import sysconfig  # not at import: every zenml command imports this module

    paths = sysconfig.get_paths()
    folders = {paths[key] for key in ("purelib", "platlib", "stdlib", "platstdlib")
               if key in paths}
    return tuple(os.path.join(os.path.realpath(folder), "") for folder in folders)


class UserCodeFilter(logging.Filter):
    """Pass warnings and errors, and below them only records logged by the user's code.

    The user's code is whatever is not installed: a library's info lines (botocore's,
    alembic's) stay hidden, a step's ``logging.info(...)`` shows.
    """

    def __init__(self) -> None:
        super().__init__()
        self._libraries = _library_folders()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        path = os.path.realpath(record.pathname)
        return not path.startswith(self._libraries)


def enable_console_logging() -> None:
    """Show zenml's progress lines, and the user's log lines, on stderr.

    Unless logging is set up already: then nothing changes. ``ZENML_LOGGING_VERBOSITY``
    (DEBUG, INFO, WARNING, ERROR) sets the level; INFO by default. As in the
    original framework, the root logger shows the user's own ``logging.info(...)``
    lines (a step's too); third-party libraries' lines below warnings stay hidden
    (:class:`UserCodeFilter`).
    """
    logger = logging.getLogger("zenml")
    root = logging.getLogger()
    if logger.handlers or root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(PlainFormatter())
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(_level())
    user = logging.StreamHandler(sys.stderr)
    user.setFormatter(PlainFormatter())
    user.addFilter(UserCodeFilter())
    root.addHandler(user)
    if root.level == logging.WARNING:  # the default: nobody chose one
        root.setLevel(_level())


def get_logger(logger_name: str) -> logging.Logger:
    """A logger whose records show on stderr, as the original framework's did.

    The console handlers of :func:`enable_console_logging` show its records
    (at ``ZENML_LOGGING_VERBOSITY``), unless logging is set up already.
    """
    enable_console_logging()
    return logging.getLogger(logger_name)
