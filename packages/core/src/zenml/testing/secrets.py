"""Marker tests: prove a secret value appears nowhere on its way (for integrations' tests).

A test makes new marker values, registers them as secrets, runs pipelines whose
steps call :func:`scan_command_lines`, and then asks a :class:`MarkerProbe`
whether any marker is in the commands' outputs, the files under a folder, or
any process's command line while the steps ran. The markers reach the steps
only through one 0600 file (``PROBE_WANTED``), the one file the grep skips; a
process carrying a self-test word on its command line
(:meth:`MarkerProbe.selftest_process`) proves the command-line scan sees other
processes, so it cannot pass by seeing nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence, Set
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["MarkerProbe", "is_marker", "new_marker", "scan_command_lines", "wanted_markers"]

WANTED_ENV = "PROBE_WANTED"
OUT_ENV = "PROBE_OUT"


def new_marker(prefix: str = "MARKER-") -> str:
    """A value that appears nowhere unless it leaked."""
    return f"{prefix}{uuid.uuid4()}"


def _wanted() -> dict[str, Any]:
    found: dict[str, Any] = json.loads(Path(os.environ[WANTED_ENV]).read_text())
    return found


def wanted_markers() -> list[str]:
    """Call in a step: the markers, in the order the test gave them (compare, never show)."""
    markers: list[str] = _wanted()["markers"]
    return markers


def is_marker(value: object) -> bool:
    """Call in a step: whether ``value`` is one of the markers (to check that a
    component got the secret's value, without showing it)."""
    return value in _wanted()["markers"]


def scan_command_lines(also: Mapping[str, Sequence[bytes]] | None = None,
                       **extra: Any) -> dict[str, Any]:
    """Call in a step: count the processes whose command line holds a marker.

    Appends ``{"processes", "markers", "selftest", **extra}`` as one JSON line to
    ``$PROBE_OUT``; ``also`` counts, under each label, the processes whose command
    line holds one of its words (e.g. that wandb's service was there to be seen);
    ``extra`` is what else the step checked, as booleans, never the values.
    """
    wanted = _wanted()
    found: dict[str, Any] = {"processes": 0, "markers": 0, "selftest": 0,
                             **{label: 0 for label in also or {}}}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            line = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        found["processes"] += 1
        found["markers"] += any(m.encode() in line for m in wanted["markers"])
        found["selftest"] += wanted["selftest"].encode() in line
        for label, words in (also or {}).items():
            found[label] += any(word in line for word in words)
    found.update(extra)
    with open(os.environ[OUT_ENV], "a") as out:
        out.write(json.dumps(found) + "\n")
    return found


class MarkerProbe:
    """The marker values of one test, the outputs it kept, and the checks over them.

    ``env`` is what the processes running the steps need (and
    ``ZENML_LOGGING_VERBOSITY=DEBUG``, so that every log line zenml has is grepped).
    """

    def __init__(self, root: Path, values: Sequence[str]) -> None:
        self.root = root
        self.values = list(values)
        self.selftest = new_marker("SELFTEST-")
        self.outputs: list[str] = []
        self.probe_out = root / "probe.jsonl"
        self.wanted = root / "probe-wanted.json"
        self.wanted.write_text(json.dumps({"markers": self.values, "selftest": self.selftest}))
        self.wanted.chmod(0o600)
        self.env = {WANTED_ENV: str(self.wanted), OUT_ENV: str(self.probe_out),
                    "ZENML_LOGGING_VERBOSITY": "DEBUG"}

    def leaks(self, data: str | bytes) -> list[str]:
        """The markers found in ``data``."""
        raw = data.encode() if isinstance(data, str) else data
        return [value for value in self.values if value.encode() in raw]

    def keep(self, done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
        """Keep a command's output for :meth:`assert_no_leaks`."""
        self.outputs.append(f"{done.stdout}{done.stderr}")
        return done

    def python(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """``python ARGS`` with the probe's environment; its output kept."""
        return self.keep(subprocess.run([sys.executable, *args], capture_output=True,
                                        text=True, timeout=timeout,
                                        env={**os.environ, **self.env}))

    @contextmanager
    def selftest_process(self) -> Iterator[None]:
        """A process with the self-test word on its command line, while the steps run."""
        process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)",
                                    self.selftest])
        try:
            yield
        finally:
            process.kill()
            process.wait(timeout=10)

    def scans(self, count: int) -> list[dict[str, Any]]:
        """The steps' scans: ``count`` of them, each seeing other processes and no marker."""
        found = [json.loads(line) for line in self.probe_out.read_text().splitlines()]
        assert len(found) == count, found
        for scan in found:
            assert scan["processes"] > 2 and scan["selftest"] == 1, scan
            assert scan["markers"] == 0, scan
        return found

    def assert_no_leaks(self, folder: Path, expected: Set[str] = frozenset()) -> list[Path]:
        """No marker in the kept outputs nor in any file under ``folder`` (whose file
        names must include ``expected``, so the grep saw what it should); the files."""
        for output in self.outputs:
            assert not self.leaks(output), output
        files = [p for p in folder.rglob("*") if p.is_file() and p != self.wanted]
        assert expected <= {p.name for p in files}, sorted(p.name for p in files)
        for path in files:
            assert not self.leaks(path.read_bytes()), path
        return files
