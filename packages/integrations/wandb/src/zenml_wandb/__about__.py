"""The version of zenml-wandb (read by hatchling)."""

__version__ = "0.1.0"
