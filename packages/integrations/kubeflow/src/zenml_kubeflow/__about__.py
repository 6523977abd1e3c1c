"""The version of zenml-kubeflow (read by hatchling)."""

__version__ = "0.1.0"
