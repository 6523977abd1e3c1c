"""Paths built from names: a name is data, never a path.

Two tools, used wherever zenml computes a path from something a user chose:

- :func:`encode_segment` turns any name into one safe path segment (ASCII
  letters, digits, ``-``, ``_`` and ``.``, never starting with ``.``; every other
  character as ``~XX`` per UTF-8 byte), reversibly (:func:`decode_segment`) as long
  as it fits :data:`MAX_SEGMENT` characters; a longer one is cut and ends in
  ``~~`` and a hash of the whole name (still unique, no longer reversible).
- :func:`join_under` / :func:`ensure_under` keep a path under its root: the path
  is normalised (``..`` resolved) and, for local paths, symlinks are resolved
  too, so that neither a name nor a link can lead outside the root.

Standard library only (the bottom floor).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import string

from zenml.errors import ZenMLError

__all__ = [
    "MAX_SEGMENT",
    "PathEscapeError",
    "decode_segment",
    "encode_segment",
    "ensure_under",
    "is_under",
    "join_under",
]

#: The longest segment :func:`encode_segment` returns (filesystems allow 255 bytes).
MAX_SEGMENT = 128

_SAFE = frozenset(string.ascii_letters + string.digits + "-_.")
_ESCAPE = "~"
_SHORTENED = "~~"
_HASH_CHARS = 16
_PROTOCOL = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")


class PathEscapeError(ZenMLError, ValueError):
    """A computed path would leave the folder (or prefix) it must stay under."""


def encode_segment(name: str, max_length: int = MAX_SEGMENT) -> str:
    """``name`` as one path segment that is safe on every filesystem and object store."""
    if name == "":
        return _ESCAPE
    parts = []
    for index, char in enumerate(name):
        if char in _SAFE and not (index == 0 and char == "."):
            parts.append(char)
        else:
            parts.extend(f"{_ESCAPE}{byte:02X}"
                         for byte in char.encode("utf-8", "surrogatepass"))
    encoded = "".join(parts)
    if len(encoded) <= max_length:
        return encoded
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_CHARS]
    cut = encoded[:max_length - len(_SHORTENED) - _HASH_CHARS]
    escape = cut.rfind(_ESCAPE)
    if escape >= 0 and escape > len(cut) - 3:  # do not cut an escape in half
        cut = cut[:escape]
    return f"{cut}{_SHORTENED}{digest}"


def decode_segment(segment: str) -> str:
    """The name :func:`encode_segment` encoded (ValueError for a shortened one)."""
    if segment == _ESCAPE:
        return ""
    if _SHORTENED in segment:
        raise ValueError(f"segment {segment[:40]!r} was shortened; its name is not in it")
    data = bytearray()
    index = 0
    while index < len(segment):
        char = segment[index]
        if char == _ESCAPE:
            data.append(int(segment[index + 1:index + 3], 16))
            index += 3
        else:
            data.extend(char.encode("ascii"))
            index += 1
    return data.decode("utf-8", "surrogatepass")


def _check_segment(segment: str) -> None:
    if (not segment or segment in (".", "..") or "/" in segment or "\\" in segment
            or "\0" in segment):
        raise PathEscapeError(f"{segment[:40]!r} is not a single path segment; encode "
                              f"names with encode_segment()")


def _split_protocol(path: str) -> tuple[str, str]:
    match = _PROTOCOL.match(path)
    if match is None:
        return "", path
    return match.group(1).lower(), path[match.end():]


def _normalised(path: str, local: bool) -> tuple[str, str]:
    protocol, rest = _split_protocol(path)
    if local and protocol in ("", "file", "local"):
        return "", os.path.realpath(rest)
    rest = posixpath.normpath("/" + rest.lstrip("/")) if rest else "/"
    return protocol, rest


def is_under(root: str, path: str, *, local: bool = False, strict: bool = False) -> bool:
    """Whether ``path`` is ``root`` or below it (strictly below with ``strict``).

    ``local`` paths are compared after resolving symlinks; others (URIs such as
    ``s3://bucket/prefix``) after normalising ``.`` and ``..``. A path without
    a protocol is compared with a root's path part (fsspec strips protocols).
    """
    root_protocol, root_path = _normalised(root, local)
    path_protocol, path_path = _normalised(path, local)
    if path_protocol and path_protocol != root_protocol:
        return False
    if path_path == root_path:
        return not strict
    prefix = root_path if root_path.endswith("/") else root_path + "/"
    return path_path.startswith(prefix)


def ensure_under(root: str, path: str, *, local: bool = False, strict: bool = False) -> str:
    """``path``, if it is under ``root``; else :class:`PathEscapeError`."""
    if not is_under(root, path, local=local, strict=strict):
        raise PathEscapeError(f"'{path}' is outside '{root}'")
    return path


def join_under(root: str, *segments: str) -> str:
    """``root/segment/...``: each segment must be one safe segment (see :func:`encode_segment`).

    The result is checked to stay under ``root`` (lexically).
    """
    for segment in segments:
        _check_segment(segment)
    path = "/".join([root.rstrip("/"), *segments])
    return ensure_under(root, path, strict=bool(segments))
