"""What every part shares: the run count, a scratch folder, fresh zenml workspaces, Kedro."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from side_by_side.timing import BenchError, Command, Series, measure, run_once
from side_by_side.venvs import kedro_python


def base_env(**extra: str) -> dict[str, str]:
    """The environment of measured processes: bytecode written and reused (as after the
    first run of an installed package), wide terminal, no colour codes."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **extra}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _redacted(arg: str) -> str:
    """An option's value hidden when its name says it is a secret (never printed)."""
    name, sep, _ = arg.partition("=")
    secret = any(word in name.lower() for word in ("password", "secret", "key", "token"))
    return f"{name}=***" if sep and secret and name.startswith("--") else arg


@dataclass
class Workspace:
    """A fresh ``ZENML_CONFIG_PATH`` and a repository folder (``zenml init``-ed) in it."""

    root: Path
    python: Path

    def __post_init__(self) -> None:
        self.config = self.root / "config"
        self.repo = self.root / "repo"
        self.repo.mkdir(parents=True, mode=0o700)
        self.env = base_env(ZENML_CONFIG_PATH=str(self.config))
        self.zenml(["init"])

    @property
    def zenml_bin(self) -> str:
        return str(self.python.with_name("zenml"))

    def zenml(self, args: list[str], env: Mapping[str, str] | None = None) -> str:
        """Run ``zenml ARGS`` in the repository (untimed); its stdout."""
        result = subprocess.run([self.zenml_bin, *args], env=dict(env or self.env), cwd=self.repo,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise BenchError(f"zenml {' '.join(map(_redacted, args))} exited "
                             f"{result.returncode}: {result.stderr.strip()[-600:]}")
        return result.stdout

    def script(self, name: str, text: str) -> Path:
        path = self.repo / name
        path.write_text(text)
        return path

    def command(self, label: str, script: Path, **kwargs: object) -> Command:
        return Command(label, [str(self.python), str(script)], self.env, self.repo,
                       **kwargs)  # type: ignore[arg-type]

    def check(self, script: Path, expected: str) -> None:
        """Run the script once with ``check`` (also the warm-up of bytecode and stores)."""
        _, out = run_once([str(self.python), str(script), "check"], env=self.env, cwd=self.repo,
                          capture=True)
        if f"result {expected}" not in out:
            raise BenchError(f"{script.name} printed {out.strip()[-200:]!r}, "
                             f"not 'result {expected}'")

    def artifact_roots(self) -> list[Path]:
        """The local artifact stores' folders (beside the sqlite files) of this workspace."""
        return [p for p in (self.config / "local_stores").glob("*") if p.is_dir()]


@dataclass
class Bench:
    """Options and shared state of one invocation."""

    runs: int
    scratch: Path
    big: bool = False
    python: Path = field(default_factory=lambda: Path(sys.executable))
    _kedro: Path | None = None
    _count: int = 0
    _shared: Workspace | None = None

    def shared(self) -> Workspace:
        """One workspace for the small pipelines of several parts (its store is warm)."""
        if self._shared is None:
            self._shared = self.workspace("shared")
        return self._shared

    def kedro(self) -> Path:
        if self._kedro is None:
            self._kedro = kedro_python()
        return self._kedro

    def workspace(self, name: str) -> Workspace:
        self._count += 1
        return Workspace(self.scratch / f"{self._count:02d}-{name}", self.python)

    def measure(self, commands: list[Command], *, sync: bool = False, warmup: int = 1,
                runs: int | None = None) -> dict[str, Series]:
        """Every command of a part measured afresh, alternating (no figure is reused from
        another part: the machine's load differs between parts)."""
        return measure(commands, runs or self.runs, sync=sync, warmup=warmup)
