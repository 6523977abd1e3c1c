"""The version of zenml-mysql (read by hatchling)."""

__version__ = "0.1.0"
