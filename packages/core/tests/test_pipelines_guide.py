"""Every snippet of docs/pipelines.md, in order, in one scratch folder.

Python blocks whose first line is ``# NAME.py`` (and YAML blocks ``# NAME.yaml``)
are saved as files; other Python blocks run as scripts; every ``python ...``
and ``zenml ...`` line of a shell block runs (lines with ``<PLACEHOLDERS>``
are skipped), and must exit 0. A comment after a command that reads like
output (``# 5``, ``# completed 0.47``) must appear in what it printed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "pipelines.md"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def _blocks() -> list[tuple[str, str]]:
    text = GUIDE.read_text(encoding="utf-8")
    return re.findall(r"^```(\w+)\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


def _expected(comment: str) -> str | None:
    """The output a shell comment quotes (``# 5``, ``# ... failed [...]``), if any."""
    comment = comment.strip().removeprefix("... ")
    if re.match(r"[\[\d]|(completed|failed|bigger-sample) |Report\(", comment):
        return comment.split(" and ")[0]
    return None


def _run(args: list[str], cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def test_every_snippet_of_the_pipelines_guide_runs(tmp_path: Path) -> None:
    ran: set[str] = set()
    checked = 0
    for language, body in _blocks():
        first = body.splitlines()[0]
        if language in ("python", "yaml") and re.fullmatch(r"# [\w.]+\.(py|yaml)", first):
            (tmp_path / first[2:]).write_text(body, encoding="utf-8")
        elif language == "python":
            _run([sys.executable, "-c", body], tmp_path)
        elif language == "shell":
            for line in body.splitlines():
                command, _, comment = line.partition("#")
                if not command.strip() or "<" in command:
                    continue
                program, *args = command.split()
                assert program in ("python", "zenml"), line
                output = _run([sys.executable if program == "python" else str(BIN / "zenml"),
                               *args], tmp_path)
                expected = _expected(comment)
                if expected is not None:
                    assert expected in output, (line, output)
                    checked += 1
                if program == "python":
                    ran.add(args[0])
    scripts = {p.name for p in tmp_path.glob("*.py") if "__main__" in p.read_text()}
    assert scripts <= ran, f"scripts the guide never runs: {sorted(scripts - ran)}"
    assert checked >= 6, checked
