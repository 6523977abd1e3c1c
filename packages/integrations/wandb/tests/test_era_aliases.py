"""The original framework's import paths of the wandb integration (issue 15, item 3):
thin aliases whose names are the very objects of zenml_wandb."""

from __future__ import annotations

from zenml.testing import EraAliasChecks

CASES = [
    ('zenml.integrations.wandb.wandb_step_decorator',
     'enable_wandb', 'zenml_wandb.decorator:enable_wandb'),
    ('zenml.integrations.wandb',
     'enable_wandb', 'zenml_wandb.decorator:enable_wandb'),
    ('zenml.integrations.wandb.experiment_trackers',
     'WandbExperimentTracker', 'zenml_wandb.tracker:WandbExperimentTracker'),
    ('zenml.integrations.wandb.experiment_trackers.wandb_experiment_tracker',
     'WandbExperimentTracker', 'zenml_wandb.tracker:WandbExperimentTracker'),
    ('zenml.integrations.wandb',
     'WANDB_EXPERIMENT_TRACKER_FLAVOR', 'zenml_wandb.flavors:WANDB_EXPERIMENT_TRACKER_FLAVOR'),
]


class TestEraAliases(EraAliasChecks):
    name = "wandb"
    integration_class = "WandbIntegration"
    cases = CASES
