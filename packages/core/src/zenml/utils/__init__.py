"""The bottom floor: helpers that import nothing of zenml above ``zenml.errors``."""
