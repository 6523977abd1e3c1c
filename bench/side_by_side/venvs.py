"""Kedro, pinned, in a virtual environment of its own (cached between runs of the bench)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from side_by_side.timing import BenchError

KEDRO = "kedro==1.7.0"


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/zenml-bench`` (default ``~/.cache/zenml-bench``), private to its owner."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    root = Path(base) / "zenml-bench"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def kedro_python() -> Path:
    """The interpreter of the Kedro venv, created (``python -m venv`` + uv or pip) if missing."""
    name = KEDRO.replace("==", "-")
    venv = cache_root() / name
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if python.exists() and marker.exists():
        return python
    print(f"installing {KEDRO} into {venv} (once; cached)", flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if Path(uv).exists():
        command = [uv, "pip", "install", "--python", str(python), KEDRO]
    else:
        command = [str(python), "-m", "pip", "install", "-q", KEDRO]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"could not install {KEDRO} into {venv}: {result.stderr.strip()[-400:]}")
    check = subprocess.run([str(python), "-c", "import kedro; print(kedro.__version__)"],
                           capture_output=True, text=True)
    if check.stdout.strip() != KEDRO.split("==")[1]:
        raise BenchError(f"{venv} has kedro {check.stdout.strip()!r}, not {KEDRO}")
    marker.write_text(KEDRO + "\n")
    return python
