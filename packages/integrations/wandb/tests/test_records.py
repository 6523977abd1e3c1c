"""The test reader of ``.wandb`` files, against a run written by wandb itself (no zenml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from wandb_records import BLOCK, WandbRunFile, read_records

pytestmark = pytest.mark.usefixtures("wandb_dir")


def test_reads_a_run_spanning_many_blocks() -> None:
    import wandb

    big = "x" * (2 * BLOCK + 100)  # one record in first, middle and last fragments
    run = wandb.init(project="reader", name="many-blocks", tags=["a", "b"],
                     config={"big": big, "lr": 0.01}, reinit="finish_previous")
    for step in range(2000):
        run.log({"loss": 1 / (step + 1), "nested": {"value": step}}, step=step)
    run.config.update({"late": True})
    run.summary["best"] = 0.99
    run.finish(exit_code=3)
    path = Path(run.settings.sync_file)
    assert path.stat().st_size > 4 * BLOCK
    file = WandbRunFile.finished(path)
    assert (file.name, file.project, file.tags) == ("many-blocks", "reader", ["a", "b"])
    assert file.user_config == {"big": big, "lr": 0.01, "late": True}
    assert file.metric("loss") == [1 / (step + 1) for step in range(2000)]
    assert file.metric("nested.value") == list(range(2000))
    assert file.summary["best"] == 0.99
    assert file.exit_code == 3
    assert file.counts["header"] == 1 and file.counts["run"] == 1


def test_refuses_damaged_files(tmp_path: Path) -> None:
    import wandb

    run = wandb.init(project="reader", name="damaged", reinit="finish_previous")
    run.log({"loss": 1.0})
    run.finish()
    path = Path(run.settings.sync_file)
    assert WandbRunFile.finished(path).metric("loss") == [1.0]
    data = bytearray(path.read_bytes())
    data[200] ^= 0xFF
    damaged = tmp_path / "damaged.wandb"
    damaged.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="bad checksum"):
        read_records(damaged)
    other = tmp_path / "other.wandb"
    other.write_bytes(b"not a run file")
    with pytest.raises(ValueError, match="not a wandb run file"):
        read_records(other)
