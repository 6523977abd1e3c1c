"""Pipelines: steps connected into a DAG and run on the active stack."""

from zenml._lazy import lazy_exports

__all__ = ["BasePipeline", "Schedule", "pipeline"]

__getattr__ = lazy_exports(__name__, {
    "BasePipeline": "zenml.pipelines.base_pipeline",
    "pipeline": "zenml.pipelines.decorator",
    "Schedule": "zenml.pipelines.schedule",
})
