"""The original framework's import paths of the seldon integration (issue 15, item 3):
thin aliases whose names are the very objects of zenml_seldon."""

from __future__ import annotations

from zenml.testing import EraAliasChecks

CASES = [
    ('zenml.integrations.seldon.steps',
     'seldon_model_deployer_step', 'zenml_seldon.steps:seldon_model_deployer_step'),
    ('zenml.integrations.seldon.steps',
     'SeldonDeployerStepConfig', 'zenml_seldon.steps:SeldonDeployerStepConfig'),
    ('zenml.integrations.seldon.steps.seldon_deployer',
     'seldon_model_deployer_step', 'zenml_seldon.steps:seldon_model_deployer_step'),
    ('zenml.integrations.seldon.services',
     'SeldonDeploymentConfig', 'zenml_seldon.deployment_config:SeldonDeploymentConfig'),
    ('zenml.integrations.seldon.services',
     'SeldonDeploymentService', 'zenml_seldon.cluster:SeldonDeploymentService'),
    ('zenml.integrations.seldon.services.seldon_deployment',
     'SeldonDeploymentService', 'zenml_seldon.cluster:SeldonDeploymentService'),
    ('zenml.integrations.seldon.services.seldon_deployment',
     'SeldonDeploymentConfig', 'zenml_seldon.deployment_config:SeldonDeploymentConfig'),
    ('zenml.integrations.seldon.model_deployers',
     'SeldonModelDeployer', 'zenml_seldon.model_deployer:SeldonModelDeployer'),
    ('zenml.integrations.seldon.model_deployers.seldon_model_deployer',
     'SeldonModelDeployer', 'zenml_seldon.model_deployer:SeldonModelDeployer'),
    ('zenml.integrations.seldon',
     'SELDON_MODEL_DEPLOYER_FLAVOR', 'zenml_seldon.flavors:SELDON_MODEL_DEPLOYER_FLAVOR'),
]


class TestEraAliases(EraAliasChecks):
    name = "seldon"
    integration_class = "SeldonIntegration"
    cases = CASES
