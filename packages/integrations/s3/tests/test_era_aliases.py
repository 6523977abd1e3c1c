"""The original framework's import paths of the s3 integration (issue 15, item 3):
thin aliases whose names are the very objects of zenml_s3."""

from __future__ import annotations

from zenml.testing import EraAliasChecks

CASES = [
    ('zenml.integrations.s3.artifact_stores',
     'S3ArtifactStore', 'zenml_s3.artifact_store:S3ArtifactStore'),
    ('zenml.integrations.s3.artifact_stores.s3_artifact_store',
     'S3ArtifactStore', 'zenml_s3.artifact_store:S3ArtifactStore'),
    ('zenml.integrations.s3',
     'S3_ARTIFACT_STORE_FLAVOR', 'zenml_s3.flavors:S3_ARTIFACT_STORE_FLAVOR'),
    ('zenml.integrations.s3.flavors',
     'S3ArtifactStoreConfig', 'zenml_s3.flavors:S3ArtifactStoreConfig'),
]


class TestEraAliases(EraAliasChecks):
    name = "s3"
    integration_class = "S3Integration"
    cases = CASES
