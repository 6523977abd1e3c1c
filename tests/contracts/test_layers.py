"""The import contract of docs' dependency rules (DESIGN.md, "the walls of the house").

Run by ``nox -s lint``. It reads the sources (no import, no installed package
needed) and counts every import statement: module level, inside functions and
under ``if TYPE_CHECKING:`` alike. Dynamic imports of import-path strings
(``"package.module:Name"`` handed to ``zenml.utils.imports``) are not counted.

The rules:

- ``zenml.stack`` and ``zenml.config`` import neither ``zenml.execution`` nor ``zenml.cli``
  nor the integration catalog (``zenml.integrations``: install hints are the CLI's);
- ``zenml.execution`` imports neither ``zenml.config`` (the stack store), nor
  ``zenml.repository``, nor ``zenml.pipelines``, nor ``zenml.cli``: the
  deployment carries the stack;
- ``zenml.post_execution`` imports neither ``zenml.repository`` nor ``zenml.cli``;
- nothing in the core imports an integration package (``zenml_<name>``);
- ``zenml.utils`` imports nothing of zenml but ``zenml.errors``, which imports
  nothing of zenml;
- nothing outside the CLI imports ``zenml.cli`` (an integration's own ``cli``
  module, which adds commands to it, is part of the CLI).

Known violations are listed in :data:`EXCEPTIONS`, the one place for them;
an exception that is no longer needed fails too, so the list only shrinks.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE_SRC = ROOT / "packages" / "core" / "src"
INTEGRATION_SRCS = sorted(p for p in (ROOT / "packages" / "integrations").glob("*/src")
                          if not p.parent.name.startswith("_"))


@dataclass(frozen=True)
class Rule:
    """Modules under one of ``sources`` must not import under one of ``forbidden``.

    A name ending in ``_`` (``zenml_``) matches every top-level package it starts.
    ``allowed`` lists what stays allowed inside a forbidden prefix.
    """

    name: str
    sources: tuple[str, ...]
    forbidden: tuple[str, ...]
    allowed: tuple[str, ...] = ()

    def applies_to(self, module: str) -> bool:
        return any(_under(module, source) for source in self.sources)

    def breaks(self, target: str) -> bool:
        return (any(_under(target, name) for name in self.forbidden)
                and not any(_under(target, name) for name in self.allowed))


def _under(module: str, prefix: str) -> bool:
    if prefix.endswith("_"):
        return module.startswith(prefix)
    return module == prefix or module.startswith(prefix + ".")


RULES = (
    Rule("stack and config are below execution, the CLI and the integration catalog",
         ("zenml.stack", "zenml.config"),
         ("zenml.execution", "zenml.cli", "zenml.integrations")),
    Rule("execution never reads the stack store: the deployment carries the stack",
         ("zenml.execution",),
         ("zenml.config", "zenml.repository", "zenml.pipelines", "zenml.cli")),
    Rule("post-execution views read the stores they are given",
         ("zenml.post_execution",), ("zenml.repository", "zenml.cli")),
    Rule("integrations arrive by hooks: the core never names one", ("zenml",), ("zenml_",)),
    Rule("zenml.utils is the bottom floor", ("zenml.utils",), ("zenml",),
         allowed=("zenml.errors", "zenml.utils")),
    Rule("zenml.errors imports nothing of zenml", ("zenml.errors",), ("zenml",),
         allowed=("zenml.errors",)),
    Rule("only the CLI imports the CLI", ("zenml", "zenml_"), ("zenml.cli",)),
)


def _in_cli(module: str) -> bool:
    """The CLI itself, and each integration's own ``cli`` module (commands it adds)."""
    parts = module.split(".")
    return _under(module, "zenml.cli") or (parts[0].startswith("zenml_") and len(parts) > 1
                                           and parts[1] == "cli")


# (importer, imported) -> why it is still there. The ONE place for known violations.
EXCEPTIONS: dict[tuple[str, str], str] = {
    # (issue 14 removed execution.entrypoint -> pipelines, post_execution.views ->
    # repository and stack.component -> execution.step_info; keep it that way)
    # By design: the in-process CLI harness of zenml.testing drives the CLI.
    ("zenml.testing.cli", "zenml.cli"): "the ZenCLI test harness runs the CLI in-process",
    ("zenml.testing.plugins", "zenml.cli"): "the plugin checks list plugins through the CLI",
}


@dataclass(frozen=True)
class Import:
    importer: str
    target: str
    path: Path
    line: int


def _module_name(src: Path, path: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(src: Path) -> Iterator[Import]:
    """Every import statement of every module under ``src``, with absolute targets."""
    for path in sorted(src.rglob("*.py")):
        module = _module_name(src, path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(module, alias.name, path, node.lineno)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, *([base] if base else [])])
                if base == "__future__":
                    continue
                for alias in node.names:
                    # ``from a.b import c`` imports a.b, and a.b.c when c is a module
                    yield Import(module, base if alias.name == "*" else f"{base}.{alias.name}",
                                 path, node.lineno)


def violations(srcs: list[Path], rules: tuple[Rule, ...] = RULES) -> dict[tuple[str, str], str]:
    """(importer, imported) -> 'file:line: rule' for every import that breaks a rule.

    ``imported`` is what the statement names: ``from m import x`` gives ``m.x``.
    """
    found: dict[tuple[str, str], str] = {}
    for src in srcs:
        for imp in imports_of(src):
            for rule in rules:
                if not rule.applies_to(imp.importer) or not rule.breaks(imp.target):
                    continue
                if rule.forbidden == ("zenml.cli",) and _in_cli(imp.importer):
                    continue
                key = (imp.importer, imp.target)
                where = f"{imp.path.relative_to(ROOT) if ROOT in imp.path.parents else imp.path}"
                found.setdefault(key, f"{where}:{imp.line}: {rule.name}")
    return found


def _excepted(key: tuple[str, str], exception: tuple[str, str]) -> bool:
    """Whether an exception (importer, module) covers an import (of that module or in it)."""
    return key[0] == exception[0] and _under(key[1], exception[1])


def _all_sources() -> list[Path]:
    return [CORE_SRC, *INTEGRATION_SRCS]


def test_the_sources_keep_the_layers() -> None:
    found = violations(_all_sources())
    new = {key: where for key, where in found.items()
           if not any(_excepted(key, exception) for exception in EXCEPTIONS)}
    assert not new, "import contract broken (fix the import, do not list it):\n" + "\n".join(
        f"  {importer} -> {target}  ({where})" for (importer, target), where in sorted(
            new.items()))


def test_every_exception_is_still_needed() -> None:
    found = violations(_all_sources())
    stale = sorted(exception for exception in EXCEPTIONS
                   if not any(_excepted(key, exception) for key in found))
    assert not stale, "no longer needed: delete from EXCEPTIONS: " + ", ".join(
        f"{a} -> {b}" for a, b in stale)


def test_the_checker_sees_every_kind_of_import(tmp_path: Path) -> None:
    package = tmp_path / "zenml"
    (package / "execution").mkdir(parents=True)
    (package / "utils").mkdir()
    for folder in (package, package / "execution", package / "utils"):
        (folder / "__init__.py").write_text("")
    (package / "execution" / "launcher.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from zenml.repository import Repository\n"
        "def run():\n    import zenml_s3.store\n    from ..config import stack_store\n"
        "    from zenml import cli\n")
    (package / "utils" / "tool.py").write_text(
        "from zenml.errors import ZenMLError\nfrom zenml.utils import names\n"
        "from . import other\nfrom ..stack import Flavor\n")
    (package / "utils" / "other.py").write_text("import os\n")
    found = violations([tmp_path])
    assert set(found) == {
        ("zenml.execution.launcher", "zenml.repository.Repository"),
        ("zenml.execution.launcher", "zenml_s3.store"),
        ("zenml.execution.launcher", "zenml.config.stack_store"),
        ("zenml.execution.launcher", "zenml.cli"),
        ("zenml.utils.tool", "zenml.stack.Flavor"),
    }
    assert _excepted(("zenml.execution.launcher", "zenml.repository.Repository"),
                     ("zenml.execution.launcher", "zenml.repository"))
    assert not _excepted(("zenml.execution.launcher", "zenml.repository_x"),
                         ("zenml.execution.launcher", "zenml.repository"))


@pytest.mark.parametrize(("module", "allowed"), [
    ("zenml.cli.stack", True), ("zenml_seldon.cli", True), ("zenml_seldon.plugin", False),
    ("zenml.repository", False), ("zenml.client", False),
])
def test_only_cli_modules_count_as_the_cli(module: str, allowed: bool) -> None:
    assert _in_cli(module) is allowed
