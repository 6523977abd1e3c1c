"""The version of zenml-s3 (read by hatchling)."""

__version__ = "0.1.0"
