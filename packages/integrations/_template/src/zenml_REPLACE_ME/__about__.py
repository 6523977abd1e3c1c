"""The version of zenml-REPLACE_ME (read by hatchling)."""

__version__ = "0.1.0"
