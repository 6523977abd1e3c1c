"""numpy arrays as ``data.npy`` (numpy is imported only when one is stored)."""

from __future__ import annotations

from typing import Any, ClassVar

from zenml.materializers.base import BaseMaterializer

__all__ = ["NumpyMaterializer"]


class NumpyMaterializer(BaseMaterializer):
    """``numpy.ndarray`` in numpy's own ``.npy`` format."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = ("numpy.ndarray",)
    FILE = "data.npy"

    def handle_return(self, data: Any) -> None:
        """Write the array with ``numpy.save``."""
        import numpy as np

        with self.open(self.FILE, "wb") as handle:
            np.save(handle, data, allow_pickle=data.dtype.hasobject)

    def handle_input(self, data_type: type) -> Any:
        """Read the array with ``numpy.load``."""
        import numpy as np

        with self.open(self.FILE, "rb") as handle:
            return np.load(handle, allow_pickle=True)
