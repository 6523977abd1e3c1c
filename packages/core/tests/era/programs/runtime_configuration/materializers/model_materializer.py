# ruff: noqa  (era-style code, kept as its docs wrote it)
"""A materializer named by the config (``steps.step_2.materializers.output``)."""
import os
import pickle
from typing import Any, Type

from sklearn.base import ClassifierMixin

from zenml.artifacts import ModelArtifact
from zenml.io import fileio
from zenml.materializers.base_materializer import BaseMaterializer

FILENAME = "classifier.pkl"


class PickledClassifierMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES = (ClassifierMixin,)
    ASSOCIATED_ARTIFACT_TYPES = (ModelArtifact,)

    def handle_input(self, data_type: Type[Any]) -> ClassifierMixin:
        super().handle_input(data_type)
        with fileio.open(os.path.join(self.artifact.uri, FILENAME), "rb") as f:
            return pickle.load(f)

    def handle_return(self, model: ClassifierMixin) -> None:
        super().handle_return(model)
        with fileio.open(os.path.join(self.artifact.uri, FILENAME), "wb") as f:
            pickle.dump(model, f)
