"""The pipeline the artifact page tests run: one output of every previewed type.

make_frame -> train (a fitted estimator) and count (an int); make_matrix (2-D),
make_vector (1-D), make_text (a str holding HTML), make_settings (a dict) and
make_opaque (a type with its own materializer: no preview). The data is a pure
function of the parameters, so the tests recompute what the page must show.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin
from sklearn.linear_model import LogisticRegression

from zenml.materializers.base import BaseMaterializer
from zenml.pipelines import pipeline
from zenml.steps import BaseStepConfig, step

HTML = "<b>html</b>"


class Opaque:
    """A type the dashboard knows nothing about."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload


class OpaqueMaterializer(BaseMaterializer):
    """Stores :class:`Opaque` as its raw payload."""

    ASSOCIATED_TYPES = (Opaque,)

    def handle_return(self, data: Any) -> None:
        with self.open("payload.bin", "wb") as handle:
            handle.write(data.payload)

    def handle_input(self, data_type: type) -> Any:
        with self.open("payload.bin", "rb") as handle:
            return Opaque(handle.read())


def matrix() -> np.ndarray:
    """A 2-D array with a known minimum, maximum and mean."""
    values = np.arange(12 * 30, dtype=np.float64).reshape(12, 30) / 4.0 - 10.0
    values[3, 7] = -50.0
    return values


def vector() -> np.ndarray:
    """A 1-D array with a known histogram."""
    return np.concatenate([np.linspace(0.0, 1.0, 40), np.full(10, 5.0)])


def frame(rows: int) -> pd.DataFrame:
    """A frame of ints, floats with gaps and strings."""
    return pd.DataFrame({
        "x": list(range(rows)),
        "y": [float(i) / 2 if i % 5 else None for i in range(rows)],
        "label": ["<i>odd</i>" if i % 2 else "even" for i in range(rows)],
    })


class TextConfig(BaseStepConfig):
    repeat: int = 1


class FrameConfig(BaseStepConfig):
    rows: int = 15


@step
def make_matrix() -> np.ndarray:
    return matrix()


@step
def make_vector() -> np.ndarray:
    return vector()


@step
def make_frame(config: FrameConfig) -> pd.DataFrame:
    return frame(config.rows)


@step
def train(data: pd.DataFrame) -> ClassifierMixin:
    model = LogisticRegression(C=0.5, max_iter=200)
    return model.fit(data[["x"]].to_numpy(), (data["x"] % 2).to_numpy())


@step
def count(data: pd.DataFrame) -> int:
    return len(data)


@step
def make_text(config: TextConfig) -> str:
    return HTML * config.repeat


@step
def make_settings() -> dict:  # type: ignore[type-arg]
    return {"lr": 0.5, "layers": [3, 2], "note": HTML}


@step
def make_opaque() -> Opaque:
    return Opaque(b"\x00\x01opaque")


@pipeline
def artifact_pipeline(make_matrix, make_vector, make_frame, train, count,  # type: ignore[no-untyped-def]
                      make_text, make_settings, make_opaque):
    make_matrix()
    make_vector()
    data = make_frame()
    train(data)
    count(data)
    make_text()
    make_settings()
    make_opaque()


def run(name: str, rows: int = 15, repeat: int = 1, **kwargs: Any) -> Any:
    """Run the pipeline as ``name``; returns the run's view."""
    return artifact_pipeline(
        make_matrix=make_matrix(), make_vector=make_vector(),
        make_frame=make_frame(config=FrameConfig(rows=rows)), train=train(), count=count(),
        make_text=make_text(config=TextConfig(repeat=repeat)),
        make_settings=make_settings(),
        make_opaque=make_opaque().with_return_materializers(OpaqueMaterializer),
    ).run(run_name=name, **kwargs)
