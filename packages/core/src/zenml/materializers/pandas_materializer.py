"""pandas DataFrames and Series (pandas is imported only when one is stored)."""

from __future__ import annotations

import importlib.util
from typing import Any, ClassVar

from zenml.materializers.base import BaseMaterializer

__all__ = ["PandasMaterializer"]


class PandasMaterializer(BaseMaterializer):
    """``pandas.DataFrame`` / ``Series`` as Parquet when pyarrow is installed, else pickle."""

    # pandas 3 reports its classes as ``pandas.DataFrame``; 2.x as ``pandas.core...``
    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (
        "pandas.DataFrame",
        "pandas.core.frame.DataFrame",
        "pandas.Series",
        "pandas.core.series.Series",
    )
    PARQUET = "data.parquet"
    PICKLE = "data.pkl"

    def handle_return(self, data: Any) -> None:
        """Write the frame (a Series is stored as a one-column frame)."""
        import pandas as pd

        series = isinstance(data, pd.Series)
        frame = data.to_frame(name="__series__") if series else data
        # files in sorted order (data.* before series.txt): the launcher then follows
        # the content hash as they are written instead of reading them back
        if importlib.util.find_spec("pyarrow") is not None:
            with self.open(self.PARQUET, "wb") as handle:
                frame.to_parquet(handle)
        else:
            with self.open(self.PICKLE, "wb") as handle:
                frame.to_pickle(handle)
        if series:
            with self.open("series.txt", "w") as marker:
                marker.write(str(data.name) if data.name is not None else "")

    def handle_input(self, data_type: type) -> Any:
        """Read the frame or series back."""
        import pandas as pd

        if self.artifact_store.exists(self.path(self.PARQUET)):
            with self.open(self.PARQUET, "rb") as handle:
                frame = pd.read_parquet(handle)
        else:
            with self.open(self.PICKLE, "rb") as handle:
                frame = pd.read_pickle(handle)
        if self.artifact_store.exists(self.path("series.txt")):
            with self.open("series.txt", "r") as marker:
                name = marker.read() or None
            return frame["__series__"].rename(name)
        return frame
