"""File access of the original framework: :mod:`zenml.io.fileio` and :mod:`zenml.io.utils`."""
