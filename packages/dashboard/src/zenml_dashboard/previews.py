"""Previews of artifacts that fit their type, as JSON-ready dicts; bounded in every way.

An artifact is loaded only when its materializer is one of the core's (builtins,
numpy, pandas, scikit-learn) and its files together hold at most :data:`MAX_BYTES`;
it is loaded through :meth:`ArtifactView.read`, from the run's artifact store.
Rows, columns, characters and image pixels shown are capped. numpy, pandas and
scikit-learn are imported only by the preview of their type.

Every preview has ``kind`` (``array``, ``frame``, ``estimator``, ``scalar``, ``text``,
``bytes``, ``json``, or ``none``, ``too_large``, ``missing``, ``error`` when there
is nothing to show) and ``message`` (why not, for the latter).
"""

from __future__ import annotations

import base64
import json
import math
import struct
import zlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zenml.artifact_stores.base import BaseArtifactStore
    from zenml.post_execution.views import ArtifactView

__all__ = ["MAX_BYTES", "artifact_size", "number_text", "png_grayscale", "preview",
           "preview_value"]

#: An artifact whose files hold more bytes than this is not loaded.
MAX_BYTES = 50 * 1024 * 1024
#: Rows (of a frame or array) and columns shown.
MAX_ROWS = 10
MAX_COLUMNS = 20
#: Columns summarised and listed in a frame's schema.
MAX_SCHEMA = 200
#: Characters of a string, a value in a table or a JSON document shown.
MAX_CHARS = 2000
MAX_CELL = 80
MAX_JSON = 5000
#: Bars of a 1-D array's histogram; the side of a 2-D array's image, in pixels.
BINS = 20
IMAGE_SIDE = 128

#: The core's materializers whose outputs have a preview (class names, module under zenml).
_MATERIALIZERS = {"BuiltInMaterializer", "ContainerMaterializer", "BytesMaterializer",
                  "NumpyMaterializer", "PandasMaterializer", "SklearnMaterializer"}
NO_PREVIEW = "no preview for this type"


def _cut(text: str, limit: int) -> tuple[str, bool]:
    return (text, False) if len(text) <= limit else (text[:limit], True)


def _cell(value: Any) -> Any:
    """A value as JSON can carry it: numbers (not NaN/inf), bools, None, else short text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2 ** 53 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item) and type(value).__module__ == "numpy":
        try:
            return _cell(item())
        except (TypeError, ValueError):
            pass
    text = value if isinstance(value, str) else repr(value)
    return _cut(text, MAX_CELL)[0] + ("…" if len(text) > MAX_CELL else "")


def number_text(value: Any) -> str:
    """A statistic as the page shows it: floats to 6 significant digits."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _number(value: Any) -> float | None:
    result = float(value)
    return result if math.isfinite(result) else None


def artifact_size(artifact_store: BaseArtifactStore, uri: str) -> tuple[int, int] | None:
    """``(bytes, files)`` of everything under ``uri`` (``None`` if it is not there).

    Only listed, never opened; a URI outside the artifact store's root is not looked at.
    """
    if not artifact_store.contains(uri):
        return None
    filesystem = artifact_store.filesystem
    root = str(filesystem._strip_protocol(uri.rstrip("/")))
    if not filesystem.exists(root):
        return None
    if not filesystem.isdir(root):
        return int(filesystem.size(root) or 0), 1
    found = filesystem.find(root, detail=True)
    return sum(int(info.get("size") or 0) for info in found.values()), len(found)


def _previewable(materializer: str) -> bool:
    module, _, name = materializer.rpartition(":")
    return module.startswith("zenml.") and name in _MATERIALIZERS


def preview(view: ArtifactView, size: int | None, artifact_store: BaseArtifactStore
            ) -> dict[str, Any]:
    """The preview of one artifact whose files hold ``size`` bytes (``None``: not there)."""
    if size is None:
        return {"kind": "missing", "message": "the artifact's files are not in the artifact "
                f"store '{artifact_store.name}' (deleted, unreachable, or outside its root)"}
    if not _previewable(view.materializer):
        return {"kind": "none", "message": NO_PREVIEW}
    if size > MAX_BYTES:
        return {"kind": "too_large", "message": f"too large to preview ({size:,} bytes; the "
                f"limit is {MAX_BYTES:,})"}
    try:
        data = view.read()
    except Exception as error:  # a broken or unimportable artifact: say so, in one line
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return {"kind": "error", "message": f"cannot read it: {_cut(first, 300)[0]}"}
    return preview_value(data)


def _is_estimator(value: Any) -> bool:
    return any(c.__module__ == "sklearn.base" and c.__name__ == "BaseEstimator"
               for c in type(value).__mro__)


def preview_value(data: Any) -> dict[str, Any]:
    """The preview of a loaded value, by its type."""
    top = type(data).__module__.split(".")[0]
    if top == "numpy" and type(data).__name__ == "ndarray":
        return _array(data)
    if top == "pandas" and type(data).__name__ in ("DataFrame", "Series"):
        return _frame(data)
    if _is_estimator(data):
        return _estimator(data)
    if data is None or isinstance(data, (bool, int, float)) or top == "numpy":
        return {"kind": "scalar", "value": _cell(data), "python_type": type(data).__name__}
    if isinstance(data, str):
        text, truncated = _cut(data, MAX_CHARS)
        return {"kind": "text", "length": len(data), "value": text, "truncated": truncated}
    if isinstance(data, (bytes, bytearray)):
        head = bytes(data[:256])
        return {"kind": "bytes", "length": len(data), "hex": head.hex(" "),
                "truncated": len(data) > len(head)}
    if isinstance(data, (list, tuple, dict, set, frozenset)):
        value = sorted(data, key=repr) if isinstance(data, (set, frozenset)) else data
        text, truncated = _cut(json.dumps(value, indent=2, default=repr, ensure_ascii=False),
                               MAX_JSON)
        return {"kind": "json", "python_type": type(data).__name__, "length": len(data),
                "value": text, "truncated": truncated}
    return {"kind": "none", "message": NO_PREVIEW}


# -- numpy -----------------------------------------------------------------------------

def _array(data: Any) -> dict[str, Any]:
    import numpy as np

    result: dict[str, Any] = {"kind": "array", "shape": list(data.shape),
                              "dtype": str(data.dtype), "size": int(data.size),
                              "nbytes": int(data.nbytes)}
    numeric = (np.issubdtype(data.dtype, np.number) or data.dtype == np.bool_) and not (
        np.issubdtype(data.dtype, np.complexfloating))
    if numeric and data.size:
        # no float copy of the whole array: a mask, and a copy only if something is NaN/inf
        finite = data
        if np.issubdtype(data.dtype, np.floating):
            mask = np.isfinite(data)
            if not mask.all():
                finite = data[mask]
        present = finite.size > 0
        result["stats"] = {
            "min": _cell(finite.min()) if present else None,
            "max": _cell(finite.max()) if present else None,
            "mean": _number(finite.mean(dtype=np.float64)) if present else None,
            "non_finite": int(data.size - finite.size)}
        if data.ndim == 1 and present:
            counts, edges = np.histogram(finite.astype(np.float64, copy=False)
                                         if finite.dtype == np.bool_ else finite, bins=BINS)
            result["histogram"] = {"counts": [int(c) for c in counts],
                                   "edges": [float(e) for e in edges]}
        if data.ndim == 2:
            result["image"] = _image(data)
    if data.ndim == 1:
        result["rows"] = [[_cell(v)] for v in data[:MAX_ROWS].tolist()]
    elif data.ndim == 2:
        result["rows"] = [[_cell(v) for v in row]
                          for row in data[:MAX_ROWS, :MAX_COLUMNS].tolist()]
    if "rows" in result:
        result["rows_truncated"] = bool(data.shape[0] > MAX_ROWS or (
            data.ndim == 2 and data.shape[1] > MAX_COLUMNS))
    return result


def _image(values: Any) -> dict[str, Any] | None:
    """A 2-D array as a grayscale PNG (min black, max white; NaN black), at most
    :data:`IMAGE_SIDE` pixels a side (every n-th row and column)."""
    import numpy as np

    height, width = values.shape
    if not height or not width:
        return None
    step_y, step_x = -(-height // IMAGE_SIDE), -(-width // IMAGE_SIDE)
    sample = values[::step_y, ::step_x].astype(np.float64)
    finite = np.isfinite(sample)
    if not finite.any():
        low, high = 0.0, 0.0
    else:
        low, high = float(sample[finite].min()), float(sample[finite].max())
    scaled = np.zeros(sample.shape, dtype=np.float64)
    if high > low:
        scaled[finite] = (sample[finite] - low) / (high - low) * 255.0
    pixels = np.rint(scaled).astype(np.uint8)
    png = png_grayscale([bytes(row) for row in pixels.tolist()])
    return {"width": int(pixels.shape[1]), "height": int(pixels.shape[0]),
            "step": [int(step_y), int(step_x)], "low": low, "high": high,
            "src": "data:image/png;base64," + base64.b64encode(png).decode("ascii")}


def png_grayscale(rows: list[bytes]) -> bytes:
    """An 8-bit grayscale PNG of equally long rows of pixel values (written by hand)."""
    height, width = len(rows), len(rows[0])

    def chunk(tag: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + tag + body
                + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8 bits, gray
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


# -- pandas ------------------------------------------------------------------------------

def _missing(value: Any) -> bool:
    """Whether a frame's cell holds pandas' missing value (None, NaN, NaT, NA)."""
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array in a cell
        return False


def _frame(data: Any) -> dict[str, Any]:
    import pandas as pd

    series = isinstance(data, pd.Series)
    frame = data.to_frame() if series else data
    shown = frame.iloc[:MAX_ROWS, :MAX_COLUMNS]
    columns = []
    for name in list(frame.columns)[:MAX_SCHEMA]:
        column = frame[name]
        if isinstance(column, pd.DataFrame):  # a repeated column name: the first one
            column = column.iloc[:, 0]
        summary: dict[str, Any] = {"name": _cell(name), "dtype": str(column.dtype),
                                   "count": int(column.count()),
                                   "nulls": int(column.isna().sum())}
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            present = column.dropna()
            if len(present):
                summary.update(min=_cell(present.min()), max=_cell(present.max()),
                               mean=_number(present.astype("float64").mean()))
        else:
            try:
                counts = column.value_counts()
                summary["unique"] = len(counts)
                if len(counts):
                    summary["top"] = _cell(counts.index[0])
                    summary["top_count"] = int(counts.iloc[0])
            except TypeError:  # unhashable values (lists, dicts)
                pass
        columns.append(summary)
    return {"kind": "frame", "python_type": type(data).__name__,
            "shape": [int(frame.shape[0]), int(frame.shape[1])],
            "columns": columns, "columns_truncated": frame.shape[1] > MAX_SCHEMA,
            "head": {"columns": [_cell(c) for c in shown.columns],
                     "index": [_cell(i) for i in shown.index],
                     "rows": [[None if _missing(v) else _cell(v) for v in row]
                              for row in shown.itertuples(index=False, name=None)]},
            "rows_truncated": bool(frame.shape[0] > MAX_ROWS or frame.shape[1] > MAX_COLUMNS)}


# -- scikit-learn ------------------------------------------------------------------------

def _estimator(data: Any) -> dict[str, Any]:
    cls = type(data)
    try:
        params = data.get_params(deep=False)
    except Exception:  # an estimator whose __init__ arguments are not attributes
        params = {}
    fitted = sorted(name for name in vars(data)
                    if name.endswith("_") and not name.startswith("_"))
    shown = {name: _cell(getattr(data, name)) for name in
             ("n_features_in_", "classes_", "n_iter_", "feature_names_in_")
             if name in fitted}
    return {"kind": "estimator", "class": f"{cls.__module__}:{cls.__qualname__}",
            "params": {str(k): _cell(v) for k, v in sorted(params.items())},
            "fitted": bool(fitted), "fitted_attributes": fitted[:MAX_COLUMNS],
            "attributes": shown}
