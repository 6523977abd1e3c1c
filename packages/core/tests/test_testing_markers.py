"""zenml.testing.secrets, the marker tests' helper, catches what it is for: a marker in
a file, in a command's output, or on a process's command line (and a scan that saw
no other process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from zenml.testing.secrets import MarkerProbe, new_marker

SCAN = "from zenml.testing.secrets import scan_command_lines; scan_command_lines()"


def test_a_marker_in_a_file_or_an_output_is_caught(tmp_path: Path) -> None:
    probe = MarkerProbe(tmp_path, [new_marker()])
    (tmp_path / "clean.txt").write_text("nothing here")
    assert probe.assert_no_leaks(tmp_path, {"clean.txt"})
    probe.keep(subprocess.CompletedProcess([], 0, f"value: {probe.values[0]}", ""))
    with pytest.raises(AssertionError):
        probe.assert_no_leaks(tmp_path)
    probe.outputs.clear()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "leak.bin").write_bytes(b"\0" + probe.values[0].encode())
    with pytest.raises(AssertionError):
        probe.assert_no_leaks(tmp_path)
    with pytest.raises(AssertionError):  # a file the grep must have seen is missing
        MarkerProbe(tmp_path / "sub", ["x"]).assert_no_leaks(tmp_path / "sub", {"gone.db"})


def test_the_command_line_scan_sees_a_marker_and_needs_the_selftest(tmp_path: Path) -> None:
    probe = MarkerProbe(tmp_path, [new_marker()])
    env = {**os.environ, **probe.env}
    subprocess.run([sys.executable, "-c", SCAN], check=True, env=env, timeout=60)
    with pytest.raises(AssertionError):  # no self-test process: the scan proves nothing
        probe.scans(1)
    probe.probe_out.unlink()
    with probe.selftest_process():
        subprocess.run([sys.executable, "-c", SCAN], check=True, env=env, timeout=60)
    assert probe.scans(1)[0]["markers"] == 0
    probe.probe_out.unlink()
    leaking = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)",
                                probe.values[0]])
    try:
        with probe.selftest_process():
            subprocess.run([sys.executable, "-c", SCAN], check=True, env=env, timeout=60)
    finally:
        leaking.kill()
        leaking.wait(timeout=10)
    with pytest.raises(AssertionError):
        probe.scans(1)
