"""MLServer runtimes that answer as Seldon Core 1.x's prepackaged servers do.

Loaded only by the MLServer process of a local model server (its
``model-settings.json`` names the class), never by zenml itself, so MLServer
and the model library are imported at module level here.

``SeldonXGBoostRuntime`` is Seldon Core's ``XGBOOST_SERVER`` (Seldon protocol):
the booster's own ``predict`` on a ``DMatrix``, so a classifier answers what its
objective gives (probabilities for ``multi:softprob`` / ``binary:logistic``),
where MLServer's own xgboost runtime answers class labels.
"""

from __future__ import annotations

from typing import Any

import xgboost  # type: ignore[import-not-found,import-untyped,unused-ignore]
from mlserver import MLModel  # type: ignore[import-not-found,import-untyped,unused-ignore]
from mlserver.codecs import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
    NumpyCodec,
    NumpyRequestCodec,
)
from mlserver.types import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
    InferenceRequest,
    InferenceResponse,
)
from mlserver.utils import get_model_uri  # type: ignore[import-not-found,import-untyped,unused-ignore]

__all__ = ["BOOSTER_FILES", "SeldonXGBoostRuntime"]

#: The files a booster is read from, first match wins (Seldon's server reads model.bst).
BOOSTER_FILES = ["model.bst", "model.json", "model.ubj"]


class SeldonXGBoostRuntime(MLModel):  # type: ignore[misc]
    """An xgboost ``Booster``, answering ``booster.predict(DMatrix(rows))``."""

    async def load(self) -> bool:
        """Read the booster."""
        uri = await get_model_uri(self._settings, wellknown_filenames=BOOSTER_FILES)
        self._booster = xgboost.Booster(model_file=uri)
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        """The booster's prediction for the request's rows, as one ``predict`` output."""
        rows: Any = self.decode_request(payload, default_codec=NumpyRequestCodec)
        result = self._booster.predict(xgboost.DMatrix(rows))
        return InferenceResponse(model_name=self.name, model_version=self.version,
                                 outputs=[NumpyCodec.encode_output(name="predict",
                                                                   payload=result)])
