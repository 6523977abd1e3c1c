"""Steps: typed Python functions whose outputs are stored, versioned and cached."""

from zenml._lazy import lazy_exports

__all__ = ["BaseStep", "BaseStepConfig", "Output", "StepContext", "step"]

__getattr__ = lazy_exports(__name__, {
    "BaseStep": "zenml.steps.base_step",
    "BaseStepConfig": "zenml.steps.config",
    "Output": "zenml.steps.output",
    "StepContext": "zenml.steps.context",
    "step": "zenml.steps.decorator",
})
