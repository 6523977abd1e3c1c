"""Step operators: run single steps on specialised infrastructure."""

from zenml._lazy import lazy_exports

__all__ = ["BaseStepOperator", "BaseStepOperatorConfig"]

__getattr__ = lazy_exports(__name__, {
    "BaseStepOperator": "zenml.step_operators.base",
    "BaseStepOperatorConfig": "zenml.step_operators.config",
})
