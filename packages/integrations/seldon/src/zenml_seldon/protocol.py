"""Prediction payloads: the V2 inference protocol (MLServer) and Seldon's v1 protocol.

numpy is imported inside the functions (it comes with mlserver).
"""

from __future__ import annotations

from typing import Any

from zenml.model_deployers.service import ServiceError

__all__ = ["seldon_request", "seldon_response", "v2_request", "v2_response"]

_V2_TYPES = {
    "b": "BOOL", "i1": "INT8", "i2": "INT16", "i4": "INT32", "i8": "INT64",
    "u1": "UINT8", "u2": "UINT16", "u4": "UINT32", "u8": "UINT64",
    "f2": "FP16", "f4": "FP32", "f8": "FP64",
}
_NUMPY_TYPES = {v: k for k, v in _V2_TYPES.items()}


def v2_request(data: Any, input_name: str = "predict",
               outputs: str | None = None) -> dict[str, Any]:
    """One V2 input tensor holding ``data`` (array-like, one row per sample); with
    ``outputs``, the request asks for that output (e.g. ``predict_proba``)."""
    import numpy as np

    array = np.asarray(data)
    kind = f"{array.dtype.kind}{array.dtype.itemsize}" if array.dtype.kind != "b" else "b"
    if array.dtype.kind in "USO":
        values: list[Any] = [str(v) for v in array.ravel().tolist()]
        datatype = "BYTES"
    elif kind in _V2_TYPES:
        values, datatype = array.ravel().tolist(), _V2_TYPES[kind]
    else:
        raise ServiceError(f"Cannot send data of type {array.dtype} for prediction; pass "
                           f"numbers, booleans or strings")
    request: dict[str, Any] = {"inputs": [{"name": input_name, "shape": list(array.shape),
                                           "datatype": datatype, "data": values}]}
    if outputs:
        request["outputs"] = [{"name": outputs}]
    return request


def v2_response(body: Any) -> Any:
    """The first output tensor of a V2 answer, as a numpy array of its shape."""
    import numpy as np

    try:
        output = body["outputs"][0]
        data, shape, datatype = output["data"], output["shape"], output.get("datatype", "")
    except (KeyError, IndexError, TypeError):
        raise ServiceError(f"Unexpected V2 inference answer: {str(body)[:200]}") from None
    dtype = _NUMPY_TYPES.get(datatype)
    array = np.asarray(data, dtype=dtype) if dtype else np.asarray(data)
    return array.reshape(shape) if array.size == int(np.prod(shape)) else array


def seldon_request(data: Any) -> dict[str, Any]:
    """Seldon v1 protocol: ``{"data": {"ndarray": ...}}``."""
    import numpy as np

    return {"data": {"ndarray": np.asarray(data).tolist()}}


def seldon_response(body: Any) -> Any:
    """The ``ndarray`` (or ``tensor``) of a Seldon v1 answer, as a numpy array."""
    import numpy as np

    try:
        data = body["data"]
        if "ndarray" in data:
            return np.asarray(data["ndarray"])
        tensor = data["tensor"]
        return np.asarray(tensor["values"]).reshape(tensor["shape"])
    except (KeyError, TypeError):
        raise ServiceError(f"Unexpected Seldon protocol answer: {str(body)[:200]}") from None
