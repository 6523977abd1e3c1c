"""``zenml secret ...`` as a user types it (issue 16): every command, every user error, and
no value on stdout or stderr unless ``get --show`` asks for it."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from zenml.repository import Repository
from zenml.stack.component_type import StackComponentType as T

from conftest import ZENML, Zen, run_zenml

KEY_ID = "AKIDMARKER4c1d9e"
ACCESS = "SECRETMARKER0b7f3a"
TOKEN = "TOKENMARKER91e2c4"
MARKERS = (KEY_ID, ACCESS, TOKEN)


def _clean(result: object) -> None:
    """Neither stdout nor stderr holds a marker value."""
    text = getattr(result, "output", "") + getattr(result, "stderr", "")
    for marker in MARKERS:
        assert marker not in text, text


@pytest.fixture
def with_manager(zen: Zen) -> Zen:
    zen("secrets-manager", "register", "local_sm", "--flavor=local")
    zen("stack", "update", "default", "-x", "local_sm")
    return zen


@pytest.fixture
def with_aws(with_manager: Zen) -> Zen:
    result = with_manager("secret", "register", "aws_creds", "-s", "aws",
                          f"--aws_access_key_id={KEY_ID}", f"--aws_secret_access_key={ACCESS}")
    _clean(result)
    return with_manager


def _secret(name: str) -> dict[str, str]:
    from zenml.cli.secret import active_secrets_manager

    return active_secrets_manager(Repository()).get_secret(name).content


# -- the secrets manager itself --------------------------------------------------------------

def test_local_secrets_manager_commands(zen: Zen) -> None:
    assert "local" in zen("secrets-manager", "flavor", "list").output
    zen("secrets-manager", "register", "local_sm", "--flavor=local")
    assert "local_sm" in zen("secrets-manager", "list").output
    described = zen("secrets-manager", "describe", "local_sm").output
    assert "local_sm" in described and "local" in described
    zen("stack", "register", "with_secrets", "-o", "default", "-a", "default", "-m", "default",
        "-x", "local_sm", "--set")
    assert "local_sm" in zen("stack", "describe").output
    assert "Active secrets manager: 'local_sm'" in zen("secrets-manager", "get").output
    zen("secret", "register", "s", "--k=v")
    assert _secret("s") == {"k": "v"}


@pytest.mark.parametrize("args", [["list"], ["get", "x"], ["register", "x", "--k=v"],
                                  ["update", "x", "--k=v"], ["delete", "x", "-y"]])
def test_every_command_needs_a_secrets_manager(zen: Zen, args: list[str]) -> None:
    line = zen.error("secret", *args)
    assert "active stack 'default' has no secrets manager" in line
    assert "zenml secrets-manager register NAME --flavor=local" in line
    assert "zenml stack update default -x NAME" in line


# -- register --------------------------------------------------------------------------------

def test_register_get_list(with_aws: Zen) -> None:
    zen = with_aws
    got = zen("secret", "get", "aws_creds")
    _clean(got)
    assert "aws_access_key_id" in got.output and "********" in got.output
    assert "schema aws" in got.output
    listed = zen("secret", "list")
    _clean(listed)
    assert "aws_creds" in listed.output and "aws_secret_access_key" in listed.output
    shown = zen("secret", "get", "aws_creds", "--show")
    assert KEY_ID in shown.output and ACCESS in shown.output
    assert _secret("aws_creds") == {"aws_access_key_id": KEY_ID,
                                    "aws_secret_access_key": ACCESS}


def test_an_empty_manager_lists_nothing(with_manager: Zen) -> None:
    assert "No secrets in secrets manager 'local_sm'" in with_manager("secret", "list").output


def test_register_arbitrary_with_files_and_at_signs(with_manager: Zen, tmp_path: Path) -> None:
    value_file = tmp_path / "token.txt"
    value_file.write_text(f"{TOKEN}\n")
    pem = tmp_path / "ca.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n")
    result = with_manager("secret", "register", "misc", f"--token=@{value_file}",
                          "--literal=@@starts-with-at", "--with-dash=1")
    _clean(result)
    assert _secret("misc") == {"token": TOKEN, "literal": "@starts-with-at", "with_dash": "1"}
    with_manager("secret", "register", "db", "-s", "mysql", "--user=u", f"--ssl_ca=@{pem}")
    assert _secret("db")["ssl_ca"] == "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----"


def test_register_interactive_schema_prompts_without_echo(with_manager: Zen) -> None:
    result = with_manager("secret", "register", "aws_creds", "-s", "aws", "-i",
                          input=f"{KEY_ID}\n{ACCESS}\n\n")
    _clean(result)
    assert "aws_access_key_id" in result.output and "aws_session_token" in result.output
    assert _secret("aws_creds") == {"aws_access_key_id": KEY_ID,
                                    "aws_secret_access_key": ACCESS}


def test_register_interactive_asks_only_what_is_missing(with_manager: Zen) -> None:
    result = with_manager("secret", "register", "aws_creds", "-s", "aws", "-i",
                          f"--aws_access_key_id={KEY_ID}", input=f"\n{ACCESS}\n{TOKEN}\n")
    _clean(result)
    assert "aws_access_key_id: " not in result.output  # given: not asked
    assert "aws_secret_access_key: " in result.output
    assert "aws_secret_access_key is required" in result.stderr  # ENTER on a required key
    assert _secret("aws_creds") == {"aws_access_key_id": KEY_ID,
                                    "aws_secret_access_key": ACCESS, "aws_session_token": TOKEN}


def test_register_interactive_arbitrary_asks_for_keys(with_manager: Zen) -> None:
    result = with_manager("secret", "register", "misc", "-i",
                          input=f"token\n{TOKEN}\nbad.key\nother\n{ACCESS}\ntoken\n\n")
    _clean(result)
    assert "Invalid secret key 'bad.key'" in result.stderr
    assert "Key 'token' is given already" in result.stderr
    assert _secret("misc") == {"token": TOKEN, "other": ACCESS}


@pytest.mark.parametrize(("args", "expected"), [
    (["x", "-s", "nope", "--k=v"], "Unknown secret schema 'nope'; use one of: arbitrary, aws"),
    (["x", "-s", "aws", f"--aws_key={KEY_ID}"],
     "Secret schema 'aws' has no key(s) --aws_key; its keys: --aws_access_key_id"),
    (["x", "-s", "aws", f"--aws_access_key_id={KEY_ID}"],
     "Secret schema 'aws' needs --aws_secret_access_key; pass --aws_secret_access_key=VALUE"),
    (["x", "-s", "wandb"], "needs --api_key"),
    (["x"], "Secret 'x' has no values; pass --KEY=VALUE"),
    (["x", f"--name={KEY_ID}"], "'name' cannot be a key of a secret"),
    (["x", "--token"], "--token needs a value"),
    (["x", f"--token=@{KEY_ID}"], "--token=@FILE: no such file; fix the path, or write @@"),
    (["../x", "--k=v"], "Invalid secret name '../x'"),
    (["x", KEY_ID], "Unexpected argument (not repeated: it may be a value)"),
])
def test_register_errors_are_one_line(with_manager: Zen, args: list[str], expected: str) -> None:
    result = with_manager.fails("secret", "register", *args)
    assert expected in result.stderr, result.stderr
    _clean(result)


def test_interactive_refuses_unknown_keys_before_prompting(with_manager: Zen) -> None:
    result = with_manager.fails("secret", "register", "x", "-s", "aws", "-i", "--nope=1",
                                input=f"{KEY_ID}\n")
    assert "has no key(s) --nope" in result.stderr
    assert "aws_access_key_id" not in result.stdout  # no prompt was shown


def test_register_an_existing_name_is_refused_before_prompts(with_aws: Zen) -> None:
    result = with_aws.fails("secret", "register", "aws_creds", "-s", "aws", "-i",
                            input=f"{TOKEN}\n{TOKEN}\n\n")
    assert "Secret 'aws_creds' already exists" in result.stderr
    assert "zenml secret update aws_creds" in result.stderr
    assert _secret("aws_creds")["aws_access_key_id"] == KEY_ID


# -- get / update / delete -------------------------------------------------------------------

def test_unknown_secret_is_one_line(with_manager: Zen) -> None:
    for args in (["get", "nope"], ["update", "nope", "--k=v"], ["delete", "nope", "-y"]):
        assert "No secret 'nope' in secrets manager 'local_sm'" in with_manager.error(
            "secret", *args)


def test_update_keeps_the_other_keys(with_aws: Zen) -> None:
    result = with_aws("secret", "update", "aws_creds", f"--aws_session_token={TOKEN}")
    _clean(result)
    assert "keys changed: aws_session_token" in result.output
    assert _secret("aws_creds") == {"aws_access_key_id": KEY_ID,
                                    "aws_secret_access_key": ACCESS, "aws_session_token": TOKEN}
    line = with_aws.error("secret", "update", "aws_creds", f"--password={TOKEN}")
    assert "Secret schema 'aws' has no key(s) --password" in line and TOKEN not in line
    assert "Nothing to update" in with_aws.error("secret", "update", "aws_creds")


def test_update_interactive(with_aws: Zen) -> None:
    # ENTER keeps aws_access_key_id, a new secret access key, no session token
    result = with_aws("secret", "update", "aws_creds", "-i", input=f"\n{TOKEN}\n\n")
    _clean(result)
    assert _secret("aws_creds") == {"aws_access_key_id": KEY_ID,
                                    "aws_secret_access_key": TOKEN}


def test_update_interactive_arbitrary_adds_keys(with_manager: Zen) -> None:
    with_manager("secret", "register", "misc", "--a=1")
    _clean(with_manager("secret", "update", "misc", "-i", input=f"\nnew\n{TOKEN}\n\n"))
    assert _secret("misc") == {"a": "1", "new": TOKEN}


def test_delete_asks_unless_yes(with_aws: Zen) -> None:
    kept = with_aws("secret", "delete", "aws_creds", input="n\n")
    assert "kept" in kept.output and "aws_creds" in with_aws("secret", "list").output
    with_aws("secret", "delete", "aws_creds", input="y\n")
    assert "No secrets" in with_aws("secret", "list").output
    with_aws("secret", "register", "again", "--k=v")
    assert "Deleted secret `again`" in with_aws("secret", "delete", "again", "-y").output


def test_secret_group_help_lists_every_command(zen: Zen) -> None:
    text = zen("secret", "--help").output
    for command in ("register", "get", "list", "update", "delete", "migrate"):
        assert command in text
        assert zen("secret", command, "--help").exit_code == 0
    assert "secret" in zen("--help").output


# -- --show on a terminal --------------------------------------------------------------------

def _on_a_terminal(args: list[str], answer: str) -> tuple[int, str]:
    """Run the real zenml with a pseudo-terminal as stdin/stdout/stderr; type ``answer``."""
    master, slave = pty.openpty()
    process = subprocess.Popen([ZENML, *args], stdin=slave, stdout=slave, stderr=slave,
                               env=dict(os.environ), close_fds=True)
    os.close(slave)
    output = b""
    answered = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        if not answered and b"[y/N]" in output:
            os.write(master, answer.encode())
            answered = True
        if process.poll() is not None and not ready:
            break
    os.close(master)
    return process.wait(timeout=10), output.decode(errors="replace")


def test_show_on_a_terminal_asks_first(with_aws: Zen) -> None:
    code, output = _on_a_terminal(["secret", "get", "aws_creds", "--show"], "n\n")
    assert "Print the values of secret 'aws_creds' in clear on this terminal?" in output
    assert code == 1 and "aborted" in output
    assert KEY_ID not in output and ACCESS not in output
    code, output = _on_a_terminal(["secret", "get", "aws_creds", "--show"], "y\n")
    assert code == 0 and KEY_ID in output
    code, output = _on_a_terminal(["secret", "get", "aws_creds", "--show", "-y"], "")
    assert code == 0 and KEY_ID in output and "Print the values" not in output


def test_values_never_reach_a_command_line_or_the_stack_store(with_aws: Zen,
                                                               config_dir: Path) -> None:
    store = (config_dir / "stack_store.db").read_bytes()
    assert KEY_ID.encode() not in store and ACCESS.encode() not in store
    result = run_zenml(["secret", "list"])
    assert result.returncode == 0
    _clean(result)
    model = Repository().active_stack_model.components[T.SECRETS_MANAGER]
    assert model.config == {}


# -- migrate (K2's migrate_component behind the command) -------------------------------------

def test_migrate_moves_a_value_typed_in_clear(with_manager: Zen) -> None:
    from test_secret_references import TOKEN as PROBE_TOKEN
    from test_secret_references import ProbePlugin

    from zenml.testing import plugin_registered

    zen = with_manager
    with plugin_registered(ProbePlugin(), "probe-secret-cli-test"):
        zen("feature-store", "register", "fs", "--flavor=probe", "--url=http://h",
            f"--token={PROBE_TOKEN}")
        zen("stack", "update", "default", "-f", "fs")
        result = zen("secret", "migrate", "feature-store", "fs", "--secret-name", "fs_creds")
        assert PROBE_TOKEN not in result.output + result.stderr
        assert "{{fs_creds.token}}" in result.output
        stored = Repository().store.get_component(T.FEATURE_STORE, "fs").config
        assert stored["token"] == "{{fs_creds.token}}"
        assert _secret("fs_creds") == {"token": PROBE_TOKEN}
        assert "Nothing to migrate" in zen("secret", "migrate", "feature_store", "fs").output
        assert "Unknown stack component type 'bogus'" in zen.error("secret", "migrate",
                                                                   "bogus", "fs")
