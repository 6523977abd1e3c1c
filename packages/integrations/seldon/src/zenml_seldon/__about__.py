"""The version of zenml-seldon (read by hatchling)."""

__version__ = "0.1.0"
