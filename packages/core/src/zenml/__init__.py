"""zenml: register an MLOps stack once, run the same pipelines on any stack.

Importing ``zenml`` is cheap on purpose: the public names live in their
subpackages (``zenml.stack``, ``zenml.plugins``, ...), which import only what
they need.
"""

from zenml.__about__ import __version__

__all__ = ["__version__"]
