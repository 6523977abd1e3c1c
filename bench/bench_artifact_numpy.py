"""A 100 MB numpy array through the artifact store vs plain ``numpy.save`` / ``numpy.load``.

Target (issue 18, goal 3): the artifact store round trip within 1.3x of
numpy's own on the same disk. The round trip is what a step pays for one
output and its next step for the input: ``NumpyMaterializer.handle_return``
with the output's content hash followed while it is written (as the step
launcher does: ``hash_while_writing`` then ``content_hash``), then
``handle_input``, against a ``LocalArtifactStore`` in a temp folder. The
baseline is ``numpy.save`` then ``numpy.load`` of a new file in the same folder
(every file of either side is deleted outside the timing, so neither rewrites
a file whose old pages the kernel must free first). Prints the median of N
round trips of each (alternating); exits 1 if the ratio misses the target.

Also prints, without a target, the same round trip with the hash as it was
before (SHA-256, followed while written; then xxh3_128, non-cryptographic,
if ``xxhash`` is installed) and what hashing the output by reading it back
costs, so the choice of hash is measured in the same run.

    python bench/bench_artifact_numpy.py [RUNS] [--dir FOLDER]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

import zenml.artifact_stores.base as artifact_base
from zenml.artifact_stores.config import LocalArtifactStoreConfig
from zenml.artifact_stores.local import LocalArtifactStore
from zenml.materializers.numpy_materializer import NumpyMaterializer

TARGET_RATIO = 1.3
SIZE_BYTES = 100 * 2**20


class _Adapted:
    """A hashlib-style hasher with blake3's ``hexdigest(length=...)``."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def update(self, data: Any) -> None:
        self.inner.update(data)

    def hexdigest(self, length: int = 32) -> str:
        return str(self.inner.hexdigest())


def _alternatives() -> dict[str, Callable[[], Any]]:
    """The other hashes measured without a target (label: hasher factory)."""
    found: dict[str, Callable[[], Any]] = {
        "sha256 (before)": lambda: _Adapted(hashlib.sha256())}
    try:
        import xxhash
    except ImportError:
        return found
    found["xxh3_128 (not crypto)"] = lambda: _Adapted(xxhash.xxh3_128())
    return found


@contextmanager
def _hash_definition(factory: Callable[[], Any] | None) -> Iterator[None]:
    """Hash outputs with ``factory`` instead of the store's definition (None: as is)."""
    original = artifact_base.content_digest
    if factory is not None:
        artifact_base.content_digest = factory
    try:
        yield
    finally:
        artifact_base.content_digest = original


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None,
                        help="folder on the disk to measure (default: the temp folder)")
    args = parser.parse_args()
    array = np.random.default_rng(0).random(SIZE_BYTES // 8)  # float64
    alternatives = _alternatives()
    labels = ["artifact store (save+load)", "numpy.save + numpy.load",
              *(f"store, {name}" for name in alternatives), "hash read back"]
    times: dict[str, list[float]] = {label: [] for label in labels}
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        root = Path(folder)
        store = LocalArtifactStore(name="bench", id=str(uuid.uuid4()), flavor="local",
                                   config=LocalArtifactStoreConfig(path=str(root / "store")))
        store.provision()
        for index in range(args.runs + 1):  # the first round of each is a warm-up
            def through_store(name: str, factory: Callable[[], Any] | None,
                              index: int = index) -> float:
                uri = f"{store.path}/pipeline/run-{index}/{name}/output"
                store.makedirs(uri)

                def round_trip() -> None:
                    with _hash_definition(factory), store.hash_while_writing(uri):
                        NumpyMaterializer(uri, store).handle_return(array)
                        assert store.content_hash(uri)
                    loaded = NumpyMaterializer(uri, store).handle_input(np.ndarray)
                    assert loaded.shape == array.shape

                return timed(round_trip)

            plain = root / f"plain-{index}.npy"

            def with_numpy(plain: Path = plain) -> None:
                np.save(plain, array)
                loaded = np.load(plain)
                assert loaded.shape == array.shape

            sample = {labels[0]: through_store("step", None), labels[1]: timed(with_numpy)}
            for name, factory in alternatives.items():
                sample[f"store, {name}"] = through_store(name.split()[0], factory)
            uri = f"{store.path}/pipeline/run-{index}/step/output"
            sample["hash read back"] = timed(partial(store.content_hash, uri))
            if index:
                for label, value in sample.items():
                    times[label].append(value)
            shutil.rmtree(f"{store.path}/pipeline/run-{index}")
            plain.unlink()
        where = root
    zenml_median = statistics.median(times[labels[0]])
    numpy_median = statistics.median(times[labels[1]])
    ratio = zenml_median / numpy_median
    megabytes = array.nbytes / 2**20
    print(f"array: {array.shape[0]:,} float64 = {megabytes:.0f} MB; folder {where.parent}; "
          f"{args.runs} round trips each (median)")
    for label in labels:
        values = times[label]
        median = statistics.median(values)
        extra = "" if label in labels[:2] else f"  {median / numpy_median:.2f}x numpy (no target)"
        print(f"{label:<34} median {median * 1000:7.1f} ms  best {min(values) * 1000:7.1f} ms"
              + extra)
    verdict = "ok" if ratio <= TARGET_RATIO else "OVER"
    print(f"ratio {ratio:.2f}x  target {TARGET_RATIO}x  {verdict}  "
          f"(hash: {artifact_base.CONTENT_HASH_PREFIX.rstrip(':')}, followed while written)")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
