"""The S3 artifact store refuses to write or delete outside its prefix (issue 13, defect 1)."""

from __future__ import annotations

import pytest

from zenml.errors import ArtifactStoreError

from conftest import S3Server


def test_writes_and_deletes_outside_the_prefix_are_refused(s3: S3Server) -> None:
    outside = s3.store(path=f"s3://{s3.bucket}/other")
    with outside.open(f"{outside.path}/keep.json", "w") as handle:
        handle.write("precious")
    store = s3.store(path=f"s3://{s3.bucket}/zenml")
    escapes = [f"{store.path}/../other/keep.json", f"s3://{s3.bucket}/other/keep.json",
               f"s3://{s3.bucket}/zenmlx/keep.json"]
    for path in escapes:
        for mode in ("w", "wb"):
            with pytest.raises(ArtifactStoreError, match="outside the artifact store"), \
                    store.open(path, mode):
                pass
        with pytest.raises(ArtifactStoreError, match="outside"):
            store.remove(path)
        with pytest.raises(ArtifactStoreError, match="outside"):
            store.rmtree(path.rsplit("/", 1)[0])
        with pytest.raises(ArtifactStoreError, match="outside"):
            store.copyfile(f"{store.path}/a.json", path, overwrite=True)
        with pytest.raises(ArtifactStoreError, match="outside"):
            store.makedirs(path)
    with pytest.raises(ArtifactStoreError, match="outside"):
        store.rmtree(store.path)  # the root itself is no step's to delete
    assert s3.keys("other/") == ["other/keep.json"]
    # inside the prefix everything works, with or without the protocol
    with store.open(f"{store.path}/run/a.json", "w") as handle:
        handle.write("{}")
    store.copyfile(f"{store.path}/run/a.json", f"{s3.bucket}/zenml/run/b.json")
    store.rmtree(f"{store.path}/run")
    assert s3.keys("zenml/") == []
