"""The version of zenml-core (read by hatchling)."""

__version__ = "0.1.0"
