"""Every command of the stack guide, verbatim, through the real ``zenml`` executable."""

from __future__ import annotations

from pathlib import Path

from zenml.stack.component_type import StackComponentType

from conftest import run_zenml


def ok(*args: str, input: str | None = None) -> str:
    result = run_zenml(args, input=input)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stdout


def test_default_stack_is_created_and_active(config_dir: Path) -> None:
    out = ok("stack", "list")
    assert "default" in out and "👉" in out
    for column in ("ORCHESTRATOR", "ARTIFACT_STORE", "METADATA_STORE"):
        assert column in out
    assert (config_dir / "stack_store.db").is_file()
    describe = ok("stack", "describe")
    assert "'default' stack (ACTIVE)" in describe
    assert "local" in describe and "sqlite" in describe


def test_listing_components_and_flavors_for_every_type() -> None:
    for type_ in StackComponentType:
        ok(type_.cli_name, "list")
        ok(type_.cli_name, "flavor", "list")
        ok(type_.cli_name, "--help")
    assert "local" in ok("orchestrator", "flavor", "list")
    assert "sqlite" in ok("metadata-store", "flavor", "list")
    assert "default" in ok("artifact-store", "list")
    assert "register" in ok("stack", "--help")
    help_text = ok("stack", "register", "--help")
    for flag in ("--orchestrator", "--artifact-store", "--metadata-store", "-al"):
        assert flag in help_text


def test_the_guide_from_registration_to_deletion(tmp_path: Path) -> None:
    store = tmp_path / "path" / "to" / "your" / "store"
    out = ok("artifact-store", "register", "my_store", "--flavor=local", f"--path={store}")
    assert "Successfully registered artifact store `my_store`." in out
    # interactive mode walks through every field
    ok("artifact-store", "register", "my_other_store", "--flavor=local", "-i",
       input=f"{tmp_path / 'other'}\n")
    listing = ok("artifact-store", "list")
    assert "my_store" in listing and "my_other_store" in listing and str(store) in listing
    ok("metadata-store", "register", "my_meta", "--flavor=sqlite",
       f"--uri={tmp_path / 'meta.db'}")
    ok("orchestrator", "register", "my_orchestrator", "--flavor=local")
    out = ok("stack", "register", "my_stack", "--orchestrator", "my_orchestrator",
             "--artifact-store", "my_store", "--metadata-store", "my_meta")
    assert "Stack 'my_stack' successfully registered!" in out
    assert "Active stack set to: 'my_stack'" in ok("stack", "set", "my_stack")
    assert "The active stack is: 'my_stack'" in ok("stack", "get")
    up = ok("stack", "up")
    assert "Provisioning resources for active stack 'my_stack'." in up
    assert store.is_dir()
    assert "running" in ok("stack", "describe")
    ok("stack", "down", "--force")
    # switching stacks is the same command
    ok("stack", "set", "default")
    assert "Deleted stack 'my_stack'." in ok("stack", "delete", "my_stack")
    for type_, name in (("artifact-store", "my_store"), ("metadata-store", "my_meta"),
                        ("orchestrator", "my_orchestrator")):
        assert f"Deleted {type_.replace('-', ' ')}: {name}" in ok(type_, "delete", name)
    assert "my_stack" not in ok("stack", "list")
