"""Read-only views of recorded pipelines, runs, steps and artifacts."""

from zenml._lazy import lazy_exports

__all__ = ["ArtifactView", "PipelineRunView", "PipelineView", "StepView"]

__getattr__ = lazy_exports(__name__, {
    "ArtifactView": "zenml.post_execution.views",
    "PipelineRunView": "zenml.post_execution.views",
    "PipelineView": "zenml.post_execution.views",
    "StepView": "zenml.post_execution.views",
})
