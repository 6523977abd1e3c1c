"""Issue 13 for the kubeflow orchestrator: the image's build context leaves out private
and secret files and honours ignore files (defect 3); the compiled YAML never lands
outside ``output_dir`` whatever the names (defect 1); a step's process does not carry
the deployment on its command line (defect 11)."""

from __future__ import annotations

import logging
import shutil
import stat
import uuid
from pathlib import Path
from typing import Any

import pytest
import sample_pipelines
from kfp_harness import execute_pipeline, load_pipeline_spec
from zenml_kubeflow.errors import KubeflowError
from zenml_kubeflow.orchestrator import CompiledPipeline

from zenml.cli.stack_files import export_stack_file
from zenml.post_execution.views import PipelineRunView
from zenml.repository import Repository
from zenml.testing import imported_modules_after

from conftest import Stacks

# -- defect 3: the build context -------------------------------------------------------


def write(root: Path, relative: str, text: str = "x\n", mode: int = 0o644) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def compile_project(stacks: Stacks, project: Path, **config: Any
                    ) -> tuple[CompiledPipeline, Path]:
    """Compile a pipeline whose code folder is ``project``; return the copied code."""
    if "kf" not in [s.name for s in Repository().store.list_stacks()]:
        stacks.register("kf", **config)
    stack = Repository().active_stack
    deployment = sample_pipelines.make("linear").deployment(stack)
    deployment = deployment.model_copy(update={"source_roots": [str(project)]})
    compiled = stack.orchestrator.compile(deployment, stack)
    return compiled, compiled.image.context / "code" / "0"


def copied(code: Path) -> dict[str, int]:
    """``{relative path: mode}`` of every file in a copied code folder."""
    return {p.relative_to(code).as_posix(): stat.S_IMODE(p.stat().st_mode)
            for p in code.rglob("*") if p.is_file()}


def left_out_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING and "out of the image" in r.getMessage()]


def test_a_private_stack_export_is_not_copied(stacks: Stacks, tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    """The reported case: a 0600 ``zenml stack export`` file in the code folder."""
    project = tmp_path / "project"
    write(project, "pipeline.py", "print('hi')\n")
    stacks.register("kf")
    export_stack_file(Repository(), "kf", str(project / "prod.yaml"))  # zenml stack export
    assert stat.S_IMODE((project / "prod.yaml").stat().st_mode) == 0o600
    # the same content, world-readable and under an innocent name: found by its content
    write(project, "notes/backup.txt", (project / "prod.yaml").read_text(), 0o644)
    with caplog.at_level(logging.INFO, logger="zenml"):
        _, code = compile_project(stacks, project)
    assert copied(code) == {"pipeline.py": 0o644}
    (warning,) = left_out_warnings(caplog)
    assert "Left 2 path(s) out of the image build context" in warning
    assert "notes/backup.txt (zenml stack export)" in warning
    assert "prod.yaml (" in warning
    assert "!PATH" in warning and ".zenmlignore" in warning


def test_secret_names_private_modes_and_key_content_are_left_out(
        stacks: Stacks, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    project = tmp_path / "project"
    write(project, "train.py")
    write(project, "run.sh", "#!/bin/sh\n", 0o755)
    write(project, "readonly.cfg", "a = 1\n", 0o444)
    write(project, "group_only.txt", "x\n", 0o640)   # not readable by others
    write(project, "mine.txt", "x\n", 0o600)
    for name in (".env", ".env.production", "server.pem", "tls.key", "id_rsa",
                 "keys/id_rsa.pub", "config/deploy_id_rsa_old"):
        write(project, name, "secret\n")
    write(project, "deploy_token", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n")
    write(project, ".ssh/config", "Host x\n")
    write(project, "private_dir/data.txt", "x\n")
    (project / "private_dir").chmod(0o700)
    outside = write(tmp_path / "elsewhere", "creds.txt", "x\n")
    (project / "link.txt").symlink_to(outside)
    write(project, "inner/real.txt")
    (project / "inner" / "alias.txt").symlink_to(project / "inner" / "real.txt")
    with caplog.at_level(logging.INFO, logger="zenml"):
        _, code = compile_project(stacks, project)
    assert copied(code) == {"train.py": 0o644, "run.sh": 0o755, "readonly.cfg": 0o444,
                            "inner/real.txt": 0o644, "inner/alias.txt": 0o644}
    (warning,) = left_out_warnings(caplog)
    assert warning.startswith("Left 13 path(s) out of the image build context of "
                              f"{project}")
    assert ".env (secret name)" in warning and "deploy_token (private key)" in warning
    assert "…" in warning or "..." in warning  # only the first few paths
    assert "secret\n" not in warning


def test_copied_folders_keep_their_modes_and_nothing_is_widened(stacks: Stacks,
                                                                tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(project, "pkg/__init__.py", "", 0o644)
    write(project, "pkg/tool.py", "", 0o604)
    (project / "pkg").chmod(0o755)
    write(project, "shared/readme.md", "", 0o664)
    (project / "shared").chmod(0o775)
    _, code = compile_project(stacks, project)
    assert copied(code) == {"pkg/__init__.py": 0o644, "pkg/tool.py": 0o604,
                            "shared/readme.md": 0o664}
    assert stat.S_IMODE((code / "pkg").stat().st_mode) == 0o755
    assert stat.S_IMODE((code / "shared").stat().st_mode) == 0o775


def test_zenmlignore_rules_and_opt_in_by_negation(stacks: Stacks, tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    project = tmp_path / "project"
    write(project, "app.py")
    write(project, "data/big.csv")
    write(project, "logs/a.log")
    write(project, "models/keep.log")
    write(project, "only_in_gitignore.txt")
    write(project, ".env", "TOKEN=1\n", 0o600)
    write(project, "certs/ca.pem", "---\n")
    write(project, ".gitignore", "only_in_gitignore.txt\n")
    write(project, ".zenmlignore", "# comment\ndata/\n*.log\n!models/keep.log\n!.env\n"
                                   "!certs/\n")
    with caplog.at_level(logging.INFO, logger="zenml"):
        _, code = compile_project(stacks, project)
    assert copied(code) == {
        "app.py": 0o644, "models/keep.log": 0o644, "only_in_gitignore.txt": 0o644,
        ".env": 0o600,  # asked for: copied, its mode kept
        "certs/ca.pem": 0o644, ".gitignore": 0o644, ".zenmlignore": 0o644}
    assert left_out_warnings(caplog) == []
    info = [r.getMessage() for r in caplog.records if "by .zenmlignore" in r.getMessage()]
    assert len(info) == 1 and "2 path(s)" in info[0] and "data/" in info[0]


def test_without_zenmlignore_gitignore_and_dockerignore_apply(stacks: Stacks,
                                                              tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(project, "app.py")
    write(project, "build/out.bin")
    write(project, "src/build/kept.py")      # '/build/' is anchored at the root
    write(project, "debug.log")
    write(project, "keep.log")
    write(project, "data/x.csv")
    write(project, "sub/.gitignore", "*.tmp\n")   # nested .gitignore, as git reads it
    write(project, "sub/a.tmp")
    write(project, "sub/b.py")
    write(project, "a.tmp")
    write(project, ".gitignore", "/build/\n*.log\n!keep.log\n.env.example\n")
    write(project, ".dockerignore", "data\n")
    write(project, ".env.example", "A=\n")
    _, code = compile_project(stacks, project)
    assert copied(code) == {"app.py": 0o644, "src/build/kept.py": 0o644, "keep.log": 0o644,
                            "sub/.gitignore": 0o644, "sub/b.py": 0o644, "a.tmp": 0o644,
                            ".gitignore": 0o644, ".dockerignore": 0o644}


def test_a_gitignore_negation_does_not_opt_in_a_secret(stacks: Stacks,
                                                       tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(project, "app.py")
    write(project, ".env")
    write(project, ".gitignore", "!.env\n")
    _, code = compile_project(stacks, project)
    assert sorted(copied(code)) == [".gitignore", "app.py"]


def test_an_unreadable_zenmlignore_is_reported_not_guessed(stacks: Stacks,
                                                          tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(project, "app.py")
    (project / ".zenmlignore").write_bytes(b"data/\n\xff\xfe\n")
    with pytest.raises(KubeflowError, match=r"Cannot read .*\.zenmlignore: it is not UTF-8"):
        compile_project(stacks, project)


def test_the_image_tag_follows_file_modes(stacks: Stacks, tmp_path: Path) -> None:
    project = tmp_path / "project"
    script = write(project, "run.sh", "#!/bin/sh\n", 0o644)
    first, _ = compile_project(stacks, project)
    script.chmod(0o755)
    second, _ = compile_project(stacks, project)
    assert first.image.name != second.image.name


def test_the_plugin_flavors_and_orchestrator_do_not_import_pathspec() -> None:
    for code in ("import zenml_kubeflow.plugin", "import zenml_kubeflow.flavors",
                 "import zenml_kubeflow.orchestrator"):
        modules = imported_modules_after(code=code)
        assert not {m for m in modules if m.partition(".")[0] == "pathspec"}, code


# -- defect 1: names are data, never paths ----------------------------------------------


def escaping(target: Path) -> str:
    """A name that, used as a path under any folder, points at ``target``."""
    return "../" * 40 + str(target).lstrip("/")


def tree(root: Path, skip: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and not p.is_relative_to(skip)}


@pytest.mark.parametrize("field", ["run_name", "pipeline_name", "both"])
def test_names_never_lead_outside_output_dir(stacks: Stacks, tmp_path: Path,
                                             field: str) -> None:
    folder = stacks.register("kf")
    output_dir = folder / "kubeflow"
    stack = Repository().active_stack
    deployment = sample_pipelines.make("linear").deployment(stack)
    victim = tmp_path / "victim"
    write(victim, "keep/file.txt", "precious\n")
    write(tmp_path, "victim.yaml", "precious\n")
    updates = {"run_name": escaping(victim), "pipeline_name": escaping(victim)}
    if field != "both":
        updates = {field: updates[field]}
    before = tree(tmp_path, output_dir)
    compiled = stack.orchestrator.compile(deployment.model_copy(update=updates), stack)
    assert compiled.path.resolve().is_relative_to(output_dir.resolve())
    assert compiled.image.context.resolve().is_relative_to(output_dir.resolve())
    assert tree(tmp_path, output_dir) == before  # nothing written or removed outside
    # the same names once more (the context is replaced): still nothing outside
    stack.orchestrator.compile(deployment.model_copy(update=updates), stack)
    assert tree(tmp_path, output_dir) == before


NASTY_NAMES = ["..", ".", "../x", "a/b", "a\\b", "/etc/passwd", ".hidden", "~root",
               "%2F", "~2F", "ünïcödé 名前", "tab\there", "nul\0byte", "trailing.", " "]


def test_every_run_name_is_one_distinct_file_in_the_pipeline_folder(stacks: Stacks) -> None:
    stacks.register("kf")
    stack = Repository().active_stack
    orchestrator = stack.orchestrator
    deployment = sample_pipelines.make("linear").deployment(stack)
    folder = orchestrator._pipeline_dir(deployment)
    paths = [orchestrator._yaml_path(deployment.model_copy(update={"run_name": name}))
             for name in NASTY_NAMES]
    for name, path in zip(NASTY_NAMES, paths, strict=True):
        assert path.parent == folder, name
        assert path.name.endswith(".yaml") and not path.name.startswith("."), name
        assert path.name.isascii() and path.name.isprintable(), name
    assert len(set(paths)) == len(NASTY_NAMES)  # reversible: no two names share a file


def test_a_very_long_run_name_gives_a_bounded_file_name(stacks: Stacks) -> None:
    stacks.register("kf")
    stack = Repository().active_stack
    deployment = sample_pipelines.make("linear").deployment(stack)
    compiled = stack.orchestrator.compile(
        deployment.model_copy(update={"run_name": "r" * 5000, "pipeline_name": "p" * 5000}),
        stack)
    assert compiled.path.is_file()
    assert len(compiled.path.name) <= 200 and len(compiled.path.parent.name) <= 200


def test_a_link_planted_in_output_dir_is_refused_not_followed(stacks: Stacks,
                                                              tmp_path: Path) -> None:
    folder = stacks.register("kf")
    stack = Repository().active_stack
    deployment = sample_pipelines.make("linear").deployment(stack)
    first = stack.orchestrator.compile(deployment, stack)
    precious = write(tmp_path, "precious.txt", "precious\n")
    first.path.unlink()
    first.path.symlink_to(precious)
    with pytest.raises(KubeflowError, match="outside"):
        stack.orchestrator.compile(deployment, stack)
    assert precious.read_text() == "precious\n"
    # a linked image folder: refused, the folder it points at untouched
    keep = write(tmp_path / "victim_dir", "keep.txt", "precious\n")
    context = first.image.context
    shutil.rmtree(context)
    context.symlink_to(keep.parent)
    first.path.unlink()
    with pytest.raises(KubeflowError, match="outside"):
        stack.orchestrator.compile(deployment, stack)
    assert keep.read_text() == "precious\n"
    assert (folder / "kubeflow").is_dir()


# -- defect 11: the deployment is not on a step's command line ----------------------------


def test_a_step_process_does_not_carry_the_deployment_in_argv(stacks: Stacks) -> None:
    stacks.register("kf")
    stack = Repository().active_stack
    deployment = sample_pipelines.make("cmdline").deployment(stack)
    compiled = stack.orchestrator.compile(deployment, stack)
    spec = load_pipeline_spec(compiled.path)
    run_id = str(uuid.uuid4())
    (result,) = execute_pipeline(spec, run_id=run_id, run_name="r1")
    assert result.returncode == 0, result.stderr
    run = PipelineRunView(stack.metadata_store, stack.metadata_store.get_run(run_id),
                          stack.artifact_store)
    argv = run.get_step("probe").output.read()
    assert isinstance(argv, list) and "zenml.execution.entrypoint" in argv
    assert not any(a == "--deployment-json" or '"steps"' in a for a in argv), argv
    assert argv[argv.index("--step") + 1] == "probe"

