"""Experiment trackers: record metrics and parameters of steps."""

from zenml._lazy import lazy_exports

__all__ = ["BaseExperimentTracker", "BaseExperimentTrackerConfig"]

__getattr__ = lazy_exports(__name__, {
    "BaseExperimentTracker": "zenml.experiment_trackers.base",
    "BaseExperimentTrackerConfig": "zenml.experiment_trackers.config",
})
