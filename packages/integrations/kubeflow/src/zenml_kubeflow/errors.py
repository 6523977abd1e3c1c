"""The errors of zenml-kubeflow (light: imports only zenml.errors)."""

from __future__ import annotations

from zenml.errors import ZenMLError

__all__ = ["KubeflowError"]


class KubeflowError(ZenMLError):
    """Kubeflow Pipelines cannot be reached, refused a request, or a run did not end well.

    The message is one line naming the endpoint or run, the cause and the fix.
    """
