"""Console output of pipeline runs when zenml is used as a library."""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["PlainFormatter", "enable_console_logging"]


class PlainFormatter(logging.Formatter):
    """One plain line per record; warnings and errors say so first."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            return f"Error: {message}"
        if record.levelno >= logging.WARNING:
            return f"Warning: {message}"
        return message


def enable_console_logging() -> None:
    """Show zenml's progress lines on stderr unless logging is set up already.

    ``ZENML_LOGGING_VERBOSITY`` (DEBUG, INFO, WARNING, ERROR) sets the level;
    INFO by default.
    """
    logger = logging.getLogger("zenml")
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(PlainFormatter())
    logger.addHandler(handler)
    logger.propagate = False
    level = os.environ.get("ZENML_LOGGING_VERBOSITY", "INFO").upper()
    logger.setLevel(getattr(logging, level, logging.INFO))
