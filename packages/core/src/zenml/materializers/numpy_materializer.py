"""numpy arrays as ``data.npy`` (numpy is imported only when one is stored)."""

from __future__ import annotations

from typing import IO, Any, ClassVar

from zenml.materializers.base import BaseMaterializer

__all__ = ["NumpyMaterializer"]


def _write_npy(handle: IO[bytes], array: Any) -> bool:
    """Write ``array`` as ``numpy.save`` does (the same bytes) with one ``write`` of its
    memory, not a copy; False (nothing written) for arrays that need ``numpy.save``."""
    import numpy as np

    if array.dtype.hasobject or not (array.flags.c_contiguous or array.flags.f_contiguous):
        return False
    header = np.lib.format.header_data_from_array_1_0(array)
    # numpy.save writes a Fortran-ordered array's transpose, which is C-ordered memory
    body = array if header["fortran_order"] is False else array.T
    if not body.flags.c_contiguous:
        return False
    try:
        np.lib.format.write_array_header_1_0(handle, header)
    except ValueError:  # a header too long for format 1.0: numpy.save picks another
        return False
    if body.nbytes:
        handle.write(memoryview(body.reshape(-1).view(np.uint8)))
    return True


def _read_npy(handle: IO[bytes]) -> Any:
    """Read an ``.npy`` file (format 1.0 / 2.0, no objects) straight into a new array's
    memory (``readinto``: one copy from the file, as ``numpy.fromfile`` makes, where
    ``numpy.load`` on a file-like reads chunks then copies them); None, with the
    handle back at the start, for files that need ``numpy.load``."""
    import numpy as np

    fmt = np.lib.format
    version = fmt.read_magic(handle)
    if version not in ((1, 0), (2, 0)):
        handle.seek(0)
        return None
    read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
    shape, fortran_order, dtype = read_header(handle)
    if dtype.hasobject:
        handle.seek(0)
        return None
    count = 1
    for length in shape:
        count *= length
    flat: Any = np.empty(count, dtype=dtype)
    target = memoryview(flat.view(np.uint8)) if flat.nbytes else memoryview(b"")
    filled = 0
    readinto = getattr(handle, "readinto", None)
    while filled < len(target):
        if readinto is not None:
            got = readinto(target[filled:])
        else:
            chunk = handle.read(len(target) - filled)
            got = len(chunk)
            target[filled:filled + got] = chunk
        if not got:
            raise ValueError(f"EOF: reading array data, expected {len(target)} bytes "
                             f"got {filled}")
        filled += got
    if fortran_order:
        return flat.reshape(shape[::-1]).transpose()
    return flat.reshape(shape)


class NumpyMaterializer(BaseMaterializer):
    """``numpy.ndarray`` in numpy's own ``.npy`` format."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = ("numpy.ndarray",)
    FILE = "data.npy"

    def handle_return(self, data: Any) -> None:
        """Write the array in ``.npy`` format (``numpy.save``'s bytes)."""
        import numpy as np

        with self.open(self.FILE, "wb") as handle:
            if not _write_npy(handle, data):
                np.save(handle, data, allow_pickle=data.dtype.hasobject)

    def handle_input(self, data_type: type) -> Any:
        """Read the array with ``numpy.load``."""
        import numpy as np

        with self.open(self.FILE, "rb") as handle:
            array = _read_npy(handle)
            return array if array is not None else np.load(handle, allow_pickle=True)
