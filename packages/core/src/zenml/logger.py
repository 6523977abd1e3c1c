"""Console output of pipeline runs when zenml is used as a library."""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["PlainFormatter", "enable_console_logging", "get_logger"]


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


def _level() -> int:
    level = os.environ.get("ZENML_LOGGING_VERBOSITY", "INFO").upper()
    value = getattr(logging, level, logging.INFO)
    return value if isinstance(value, int) else logging.INFO


def get_logger(logger_name: str) -> logging.Logger:
    """A logger whose records show on stderr, as the original framework's did.

    Loggers under ``zenml`` share its console handler
    (:func:`enable_console_logging`); any other (``get_logger(__name__)`` in a
    script) gets one of its own at ``ZENML_LOGGING_VERBOSITY``, unless logging
    is set up already.
    """
    enable_console_logging()
    logger = logging.getLogger(logger_name)
    if logger_name == "zenml" or logger_name.startswith("zenml."):
        return logger
    if logger.handlers or logging.getLogger().handlers:
        return logger
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(PlainFormatter())
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(_level())
    return logger
