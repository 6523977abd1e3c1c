"""The original framework's artifact types (``DataArtifact``, ``ModelArtifact``...).

Accepted in a materializer's ``ASSOCIATED_ARTIFACT_TYPES``; an artifact
object gives a materializer of that framework the folder it works in
(``self.artifact.uri``). Plain classes: importing them costs nothing.
"""

from zenml.artifacts.base_artifact import BaseArtifact
from zenml.artifacts.data_analysis_artifact import DataAnalysisArtifact
from zenml.artifacts.data_artifact import DataArtifact
from zenml.artifacts.model_artifact import ModelArtifact
from zenml.artifacts.schema_artifact import SchemaArtifact
from zenml.artifacts.service_artifact import ServiceArtifact
from zenml.artifacts.statistics_artifact import StatisticsArtifact

__all__ = [
    "BaseArtifact",
    "DataAnalysisArtifact",
    "DataArtifact",
    "ModelArtifact",
    "SchemaArtifact",
    "ServiceArtifact",
    "StatisticsArtifact",
]
