"""The original framework's import paths of the kubeflow integration (issue 15, item 3):
thin aliases whose names are the very objects of zenml_kubeflow."""

from __future__ import annotations

from zenml.testing import EraAliasChecks

CASES = [
    ('zenml.integrations.kubeflow.orchestrators',
     'KubeflowOrchestrator', 'zenml_kubeflow.orchestrator:KubeflowOrchestrator'),
    ('zenml.integrations.kubeflow.orchestrators.kubeflow_orchestrator',
     'KubeflowOrchestrator', 'zenml_kubeflow.orchestrator:KubeflowOrchestrator'),
    ('zenml.integrations.kubeflow',
     'KUBEFLOW_ORCHESTRATOR_FLAVOR', 'zenml_kubeflow.flavors:KUBEFLOW_ORCHESTRATOR_FLAVOR'),
    ('zenml.integrations.kubeflow.flavors',
     'KubeflowOrchestratorConfig', 'zenml_kubeflow.flavors:KubeflowOrchestratorConfig'),
]


class TestEraAliases(EraAliasChecks):
    name = "kubeflow"
    integration_class = "KubeflowIntegration"
    cases = CASES
