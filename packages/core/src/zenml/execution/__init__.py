"""Running pipelines: deployment spec, cache keys, the step launcher, the step entrypoint."""

from zenml._lazy import lazy_exports

__all__ = ["Deployment", "StepLauncher", "StepRunInfo", "current_step_run"]

__getattr__ = lazy_exports(__name__, {
    "Deployment": "zenml.execution.deployment",
    "StepLauncher": "zenml.execution.launcher",
    "StepRunInfo": "zenml.execution.step_info",
    "current_step_run": "zenml.execution.step_info",
})
