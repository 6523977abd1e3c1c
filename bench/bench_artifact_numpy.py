"""A 100 MB numpy array through the artifact store vs plain ``numpy.save`` / ``numpy.load``.

Target (issue: pipelines): the artifact store round trip within 1.5x of
numpy's own on the same disk. The round trip is what a step pays for one
output and its next step for the input: ``NumpyMaterializer.handle_return``
then ``handle_input``, against a ``LocalArtifactStore`` in a temp folder.
The baseline is ``numpy.save`` then ``numpy.load`` of a file in the same
folder. Prints the median of N round trips of each (alternating); exits 1
if the ratio misses the target. Also prints, without a target, the content
hash the step launcher computes for every output (for cache keys).

    python bench/bench_artifact_numpy.py [RUNS] [--dir FOLDER]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np

from zenml.artifact_stores.config import LocalArtifactStoreConfig
from zenml.artifact_stores.local import LocalArtifactStore
from zenml.materializers.numpy_materializer import NumpyMaterializer

TARGET_RATIO = 1.5
SIZE_BYTES = 100 * 2**20


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
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        root = Path(folder)
        store = LocalArtifactStore(name="bench", id=str(uuid.uuid4()), flavor="local",
                                   config=LocalArtifactStoreConfig(path=str(root / "store")))
        store.provision()
        zenml_times: list[float] = []
        numpy_times: list[float] = []
        hash_times: list[float] = []
        for index in range(args.runs + 1):  # the first round of each is a warm-up
            uri = f"{store.path}/pipeline/run-{index}/step/output"
            store.makedirs(uri)

            def through_store(uri: str = uri) -> None:
                NumpyMaterializer(uri, store).handle_return(array)
                loaded = NumpyMaterializer(uri, store).handle_input(np.ndarray)
                assert loaded.shape == array.shape

            plain = root / f"plain-{index}.npy"

            def with_numpy(plain: Path = plain) -> None:
                np.save(plain, array)
                loaded = np.load(plain)
                assert loaded.shape == array.shape

            zenml_time, numpy_time = timed(through_store), timed(with_numpy)
            hash_time = timed(lambda uri=uri: store.content_hash(uri))
            if index:
                zenml_times.append(zenml_time)
                numpy_times.append(numpy_time)
                hash_times.append(hash_time)
            shutil.rmtree(f"{store.path}/pipeline/run-{index}")
            plain.unlink()
        where = root
    zenml_median, numpy_median = statistics.median(zenml_times), statistics.median(numpy_times)
    ratio = zenml_median / numpy_median
    megabytes = array.nbytes / 2**20
    print(f"array: {array.shape[0]:,} float64 = {megabytes:.0f} MB; folder {where.parent}; "
          f"{args.runs} round trips each (median)")
    for label, values in (("artifact store (save+load)", zenml_times),
                          ("numpy.save + numpy.load", numpy_times)):
        median = statistics.median(values)
        print(f"{label:<28} median {median * 1000:7.1f} ms  best {min(values) * 1000:7.1f} ms  "
              f"({2 * megabytes / median:,.0f} MB/s)")
    hash_median = statistics.median(hash_times)
    print(f"{'content hash of the output':<28} median {hash_median * 1000:7.1f} ms  "
          f"(paid once per step output, for cache keys; no target)")
    verdict = "ok" if ratio < TARGET_RATIO else "OVER"
    print(f"ratio {ratio:.2f}x  target {TARGET_RATIO}x  {verdict}")
    return 0 if ratio < TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
