"""A reader of wandb's offline run files (``run-<id>.wandb``), for the tests.

wandb has no public reader for them. The format (checked against wandb
0.31.0, the version pinned in the test dependency group) is:

- a 7-byte file header: ``:W&B``, the magic ``0xBEE1`` (u16 little-endian)
  and the format version ``0`` (u8);
- then a LevelDB-style log: 32 KiB blocks counted from the start of the file
  (header included); each record fragment has a 7-byte header, ``crc`` (u32),
  ``length`` (u16), ``type`` (u8: 1 full, 2 first, 3 middle, 4 last), then
  ``length`` bytes. The crc is zlib's CRC-32 of the type byte followed by the
  payload. A block tail shorter than a fragment header is zero padding;
- each whole record is a serialized ``wandb.proto.wandb_internal_pb2.Record``.
"""

from __future__ import annotations

import json
import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["WandbRunFile", "read_records"]

HEADER = b":W&B" + struct.pack("<HB", 0xBEE1, 0)
BLOCK = 32 * 1024
FRAGMENT_HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


def _fragments(data: bytes) -> Iterator[tuple[int, bytes]]:
    position = len(HEADER)
    while position + FRAGMENT_HEADER <= len(data):
        left = BLOCK - position % BLOCK
        if left < FRAGMENT_HEADER:  # padding at the end of a block
            position += left
            continue
        crc, length, kind = struct.unpack_from("<IHB", data, position)
        start = position + FRAGMENT_HEADER
        payload = data[start:start + length]
        if kind == 0 and length == 0 and crc == 0:  # zero-filled rest of a block
            position += left
            continue
        if len(payload) != length:
            raise ValueError(f"truncated record at byte {position}")
        if zlib.crc32(payload, zlib.crc32(bytes([kind]))) & 0xFFFFFFFF != crc:
            raise ValueError(f"bad checksum at byte {position}")
        yield kind, payload
        position = start + length


def read_records(path: Path) -> list[Any]:
    """Every ``Record`` protobuf of a ``.wandb`` file, in order."""
    from wandb.proto import wandb_internal_pb2

    data = Path(path).read_bytes()
    if not data.startswith(HEADER):
        raise ValueError(f"{path} is not a wandb run file (header {data[:7]!r})")
    records = []
    pending: bytes | None = None
    for kind, payload in _fragments(data):
        if kind == FULL:
            whole = payload
        elif kind == FIRST:
            pending = payload
            continue
        elif kind == MIDDLE and pending is not None:
            pending += payload
            continue
        elif kind == LAST and pending is not None:
            whole, pending = pending + payload, None
        else:
            raise ValueError(f"unexpected record fragment type {kind} in {path}")
        record = wandb_internal_pb2.Record()
        record.ParseFromString(whole)
        records.append(record)
    return records


def _item_key(item: Any) -> str:
    return ".".join(item.nested_key) if item.nested_key else str(item.key)


@dataclass
class WandbRunFile:
    """What a run file holds: the run's identity, config, tags, metrics and exit code."""

    path: Path
    run_id: str = ""
    name: str = ""
    project: str = ""
    entity: str = ""
    group: str = ""
    job_type: str = ""
    tags: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    exit_code: int | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> WandbRunFile:
        """Parse one ``run-<id>.wandb`` file."""
        run = cls(path=Path(path))
        for record in read_records(path):
            kind = record.WhichOneof("record_type")
            run.counts[kind] = run.counts.get(kind, 0) + 1
            if kind == "run":
                r = record.run
                run.run_id, run.name, run.project, run.entity = (
                    r.run_id, r.display_name, r.project, r.entity)
                run.group, run.job_type, run.tags = r.run_group, r.job_type, list(r.tags)
                run.config.update({i.key: json.loads(i.value_json) for i in r.config.update})
            elif kind == "config":
                run.config.update({i.key: json.loads(i.value_json)
                                   for i in record.config.update})
            elif kind == "history":
                run.history.append({_item_key(i): json.loads(i.value_json)
                                    for i in record.history.item})
            elif kind == "summary":
                run.summary.update({_item_key(i): json.loads(i.value_json)
                                    for i in record.summary.update})
            elif kind == "exit":
                run.exit_code = record.exit.exit_code
        return run

    @classmethod
    def finished(cls, path: Path, timeout: float = 20.0) -> WandbRunFile:
        """Read ``path`` once the run's exit record is in it.

        ``run.finish()`` returns before the ``wandb-core`` service has written
        everything: for a moment the file may hold only its header.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                run = cls.read(path)
            except ValueError:  # a record half-written
                run = None
            if run is not None and run.exit_code is not None:
                return run
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path} holds no exit record after {timeout:.0f} s")
            time.sleep(0.02)

    @classmethod
    def in_dir(cls, sync_dir: str | Path) -> WandbRunFile:
        """The finished run file of an offline run folder (``offline-run-<time>-<id>``)."""
        files = sorted(Path(sync_dir).glob("run-*.wandb"))
        if len(files) != 1:
            raise ValueError(f"expected one run file in {sync_dir}, found {files}")
        return cls.finished(files[0])

    @property
    def user_config(self) -> dict[str, Any]:
        """The config without wandb's own ``_wandb`` entry."""
        return {k: v for k, v in self.config.items() if k != "_wandb"}

    def metric(self, key: str) -> list[Any]:
        """Every value logged for ``key``, in order."""
        return [row[key] for row in self.history if key in row]
