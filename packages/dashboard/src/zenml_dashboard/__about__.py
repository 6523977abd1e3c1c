"""The version of zenml-dashboard (read by hatchling)."""

__version__ = "0.1.0"
