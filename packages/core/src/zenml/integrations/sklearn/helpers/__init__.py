"""Helpers the original framework's examples used (``digits``)."""
