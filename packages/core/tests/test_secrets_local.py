"""The ``local`` secrets manager (issue 16): encrypted file, key kept apart, lock, clear errors.

Real files, real ``cryptography``, real ``zenml`` processes for concurrency and
permissions, and a real keyring backend (keyrings.alt's file keyring, chosen
the way a user chooses one: ``PYTHON_KEYRING_BACKEND``).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from test_stores_hardening import Runner, unprivileged  # noqa: F401  (a fixture)

from zenml.errors import (
    ConfigError,
    EntityExistsError,
    EntityNotFoundError,
    SecretsManagerError,
)
from zenml.repository import Repository
from zenml.secrets_managers.local import (
    KEY_PATH_ENV,
    LocalSecretsManager,
    _is_usable,
    default_key_path,
    secrets_dir,
)
from zenml.secrets_managers.schemas import (
    ArbitrarySecretSchema,
    AWSSecretSchema,
    MySQLSecretSchema,
    WandbSecretSchema,
    build_secret,
)
from zenml.stack.component_type import StackComponentType as T

from conftest import run_zenml

MARKERS = {"aws": "AKIDMARKER9f3a1c", "secret": "SECRETMARKER77b2e0", "wandb": "WANDBMARKER5d1e"}


def _one_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def _manager() -> LocalSecretsManager:
    repo = Repository()
    model = repo.active_stack_model.components[T.SECRETS_MANAGER]
    manager = repo.instantiate(model)
    assert isinstance(manager, LocalSecretsManager)
    return manager


@pytest.fixture
def manager(config_dir: Path) -> LocalSecretsManager:
    """A ``local`` secrets manager in the active (default) stack."""
    repo = Repository()
    repo.register_component(T.SECRETS_MANAGER, "local_sm", "local", {})
    repo.update_stack("default", {T.SECRETS_MANAGER: "local_sm"})
    return _manager()


@pytest.fixture
def filled(manager: LocalSecretsManager) -> LocalSecretsManager:
    manager.register_secret(build_secret("aws", "aws_creds", {
        "aws_access_key_id": MARKERS["aws"], "aws_secret_access_key": MARKERS["secret"]}))
    manager.register_secret(build_secret("wandb", "wb", {"api_key": MARKERS["wandb"]}))
    return manager


def _all_bytes(root: Path) -> bytes:
    data = b""
    for folder, _dirs, files in os.walk(root):
        for name in files:
            data += (Path(folder) / name).read_bytes()
    return data


# -- round trip ------------------------------------------------------------------------------

def test_every_schema_round_trips_with_its_schema(manager: LocalSecretsManager) -> None:
    secrets = [
        build_secret("arbitrary", "any", {"token": "t1", "url": "https://x"}),
        build_secret("aws", "aws_creds", {"aws_access_key_id": "a", "aws_secret_access_key": "b",
                                          "aws_session_token": "c"}),
        build_secret("mysql", "db", {"user": "u", "password": "p", "ssl_ca": "-----BEGIN\n"}),
        build_secret("wandb", "wb", {"api_key": "k"}),
    ]
    for secret in secrets:
        manager.register_secret(secret)
    again = _manager()  # a new object reads the file, not a cache
    assert again.get_all_secret_keys() == ["any", "aws_creds", "db", "wb"]
    for secret in secrets:
        found = again.get_secret(secret.name)
        assert type(found) is type(secret)
        assert found.content == secret.content
    assert isinstance(again.get_secret("db"), MySQLSecretSchema)
    assert again.get_value("aws_creds", "aws_session_token") == "c"
    assert again.secret_keys("any") == ("arbitrary", ["token", "url"])


def test_update_replaces_and_delete_removes(manager: LocalSecretsManager) -> None:
    manager.register_secret(build_secret("aws", "c", {"aws_access_key_id": "a",
                                                      "aws_secret_access_key": "b"}))
    manager.update_secret(AWSSecretSchema(name="c", aws_access_key_id="a2",
                                          aws_secret_access_key="b2"))
    assert manager.get_secret("c").content == {"aws_access_key_id": "a2",
                                               "aws_secret_access_key": "b2"}
    manager.update_secret(WandbSecretSchema(name="c", api_key="k"))  # the schema may change
    assert isinstance(manager.get_secret("c"), WandbSecretSchema)
    manager.delete_secret("c")
    assert manager.get_all_secret_keys() == []
    with pytest.raises(EntityNotFoundError, match="zenml secret register c"):
        manager.get_secret("c")


def test_user_errors_are_one_line(filled: LocalSecretsManager) -> None:
    with pytest.raises(EntityExistsError, match="already exists"):
        filled.register_secret(WandbSecretSchema(name="wb", api_key="other"))
    assert filled.get_value("wb", "api_key") == MARKERS["wandb"]  # not overwritten
    for call in (lambda: filled.update_secret(WandbSecretSchema(name="nope", api_key="x")),
                 lambda: filled.delete_secret("nope"), lambda: filled.get_secret("nope")):
        with pytest.raises(EntityNotFoundError, match="No secret 'nope'"):
            call()
    with pytest.raises(EntityNotFoundError, match="has no key 'password'"):
        filled.get_value("wb", "password")


@pytest.mark.parametrize("name", ["../escape", "a/b", "..", " padded", ""])
def test_names_are_data_never_paths(manager: LocalSecretsManager, config_dir: Path,
                                    name: str) -> None:
    with pytest.raises(ConfigError, match="Invalid secret name"):
        manager.register_secret(ArbitrarySecretSchema(name=name, k="v"))
    assert sorted(p.name for p in config_dir.parent.rglob("*escape*")) == []


def test_names_with_dots_and_spaces_are_kept_as_given(manager: LocalSecretsManager) -> None:
    for name in ("v1.2", "my secret", ".hidden"):
        manager.register_secret(ArbitrarySecretSchema(name=name, k=name))
    assert _manager().get_all_secret_keys() == [".hidden", "my secret", "v1.2"]
    assert [p.name for p in secrets_dir().iterdir() if p.name != ".lock"] == [
        f"{manager.id}.json"]


# -- files -----------------------------------------------------------------------------------

@pytest.fixture
def umask_zero() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_files_are_private_from_creation(filled: LocalSecretsManager, config_dir: Path,
                                         umask_zero: None) -> None:
    folder = secrets_dir()
    assert folder.parent == config_dir
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in (filled.secrets_file, folder / ".lock", default_key_path()):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert filled.secrets_file == folder / f"{filled.id}.json"


def test_key_file_is_beside_the_config_folder_not_in_it(filled: LocalSecretsManager,
                                                       config_dir: Path) -> None:
    key = default_key_path()
    assert key.exists()
    assert key.parent == config_dir.parent
    assert config_dir not in key.parents
    assert json.loads(filled.secrets_file.read_text())["key_store"] == "file"


def test_a_loose_key_file_is_tightened(filled: LocalSecretsManager) -> None:
    default_key_path().chmod(0o644)
    assert _manager().get_value("wb", "api_key") == MARKERS["wandb"]
    assert stat.S_IMODE(default_key_path().stat().st_mode) == 0o600


def test_no_value_is_in_clear_in_the_config_folder(filled: LocalSecretsManager,
                                                   config_dir: Path) -> None:
    data = _all_bytes(config_dir)
    assert filled.secrets_file.read_bytes() in data
    for marker in MARKERS.values():
        assert marker.encode() not in data
    assert b"aws_creds" in data  # names and keys are readable, values are not
    stored = json.loads(filled.secrets_file.read_text())
    assert stored["version"] == 1
    assert stored["secrets"]["aws_creds"]["schema"] == "aws"
    assert stored["secrets"]["aws_creds"]["keys"] == ["aws_access_key_id",
                                                      "aws_secret_access_key"]


# -- a copied folder, a wrong key, a corrupt or newer file -----------------------------------

def _copy_config(config_dir: Path, tmp_path: Path) -> Path:
    """The config folder copied to another place (another machine), without the key."""
    other = tmp_path / "elsewhere" / "config"
    shutil.copytree(config_dir, other)
    return other


def test_a_copied_config_folder_without_the_key_reveals_nothing(
        filled: LocalSecretsManager, config_dir: Path, tmp_path: Path) -> None:
    other = _copy_config(config_dir, tmp_path)
    for marker in MARKERS.values():
        assert marker.encode() not in _all_bytes(other)
    env = {"ZENML_CONFIG_PATH": str(other)}
    copied_file = other / "secrets" / filled.secrets_file.name
    before = copied_file.read_bytes()
    for args in (["secret", "get", "wb", "--show"], ["secret", "list"],
                 ["secret", "update", "wb", "--api_key=new"],
                 ["secret", "register", "another", "--k=v"]):
        result = run_zenml(args, env=env)
        line = _one_error(result)
        assert "is missing from the key file" in line, line
        assert MARKERS["wandb"] not in result.stdout + result.stderr
        assert copied_file.read_bytes() == before
    assert not (tmp_path / "elsewhere" / ".config-secrets.key").exists()  # never re-created
    # the key is all that was missing
    shutil.copy(default_key_path(), tmp_path / "elsewhere" / ".config-secrets.key")
    result = run_zenml(["secret", "get", "wb", "--show"], env=env)
    assert result.returncode == 0, result.stderr
    assert MARKERS["wandb"] in result.stdout


def test_a_wrong_key_is_one_line_and_changes_nothing(filled: LocalSecretsManager) -> None:
    from cryptography.fernet import Fernet

    default_key_path().write_bytes(Fernet.generate_key())
    before = filled.secrets_file.read_bytes()
    for args in (["secret", "get", "wb"], ["secret", "update", "wb", "--api_key=x"],
                 ["secret", "register", "new", "--k=v"]):
        line = _one_error(run_zenml(args))
        assert "encrypted with another key" in line, line
    assert filled.secrets_file.read_bytes() == before


def test_a_key_file_that_holds_no_key_is_one_line(filled: LocalSecretsManager) -> None:
    default_key_path().write_text("not a key\n")
    assert "does not hold a zenml secrets key" in _one_error(run_zenml(["secret", "get", "wb"]))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "not_zenml", "tampered_token",
                                    "swapped_entries"])
def test_a_corrupt_file_is_one_line_and_left_as_it_is(filled: LocalSecretsManager,
                                                      damage: str) -> None:
    path = filled.secrets_file
    text = path.read_text()
    data = json.loads(text)
    if damage == "garbage":
        path.write_bytes(b"\x00\xff garbage")
    elif damage == "truncated":
        path.write_text(text[: len(text) // 2])
    elif damage == "not_zenml":
        path.write_text(json.dumps({"secrets": {}}))
    elif damage == "tampered_token":
        token = data["secrets"]["wb"]["token"]
        data["secrets"]["wb"]["token"] = token[:40] + ("A" if token[40] != "A" else "B") + \
            token[41:]
        path.write_text(json.dumps(data))
    else:  # an entry moved under another name is detected
        data["secrets"]["aws_creds"], data["secrets"]["wb"] = (data["secrets"]["wb"],
                                                               data["secrets"]["aws_creds"])
        path.write_text(json.dumps(data))
    before = path.read_bytes()
    commands = [["secret", "get", "wb"]]
    if damage in ("garbage", "truncated", "not_zenml"):  # the whole file is unreadable
        commands += [["secret", "register", "new", "--k=v"], ["secret", "delete", "wb", "-y"],
                     ["secret", "list"]]
    for args in commands:
        line = _one_error(run_zenml(args))
        assert "is corrupt" in line and "restore it from a backup" in line, line
        assert path.read_bytes() == before


def test_a_newer_format_is_refused_untouched(filled: LocalSecretsManager) -> None:
    data = json.loads(filled.secrets_file.read_text())
    data["version"] = 2
    filled.secrets_file.write_text(json.dumps(data))
    before = filled.secrets_file.read_bytes()
    for args in (["secret", "list"], ["secret", "register", "n", "--k=v"],
                 ["secret", "delete", "wb", "-y"]):
        line = _one_error(run_zenml(args))
        assert "written by a newer zenml (format 2" in line and "upgrade zenml-core" in line
    assert filled.secrets_file.read_bytes() == before
    with pytest.raises(SecretsManagerError, match="newer zenml"):
        _manager().get_all_secret_keys()


def test_an_unreadable_key_file_is_one_line(filled: LocalSecretsManager,
                                            unprivileged: Runner) -> None:  # noqa: F811
    default_key_path().chmod(0)
    try:
        line = _one_error(unprivileged("secret", "get", "wb"))
    finally:
        default_key_path().chmod(0o600)
    assert "Cannot read the secrets key file" in line and "give your user access" in line


# -- concurrency -----------------------------------------------------------------------------

def test_concurrent_processes_lose_no_secret(manager: LocalSecretsManager) -> None:
    """Eight CLI processes register at once, the first ones racing to create the key."""
    assert not default_key_path().exists()
    count = 8

    def register(index: int) -> subprocess.CompletedProcess[str]:
        return run_zenml(["secret", "register", f"s{index}", f"--value=v{index}"])

    with ThreadPoolExecutor(count) as pool:
        results = list(pool.map(register, range(count)))
    assert [r.returncode for r in results] == [0] * count, [r.stderr for r in results]
    again = _manager()
    assert again.get_all_secret_keys() == sorted(f"s{i}" for i in range(count))
    assert [again.get_value(f"s{i}", "value") for i in range(count)] == [
        f"v{i}" for i in range(count)]
    assert not [p for p in secrets_dir().iterdir() if p.name.endswith(".partial")]


# -- where the key is kept -------------------------------------------------------------------

def test_key_path_override(filled: LocalSecretsManager, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A new config folder with ZENML_SECRETS_KEY_PATH keeps its key there."""
    monkeypatch.setenv("ZENML_CONFIG_PATH", str(tmp_path / "second" / "config"))
    monkeypatch.setenv(KEY_PATH_ENV, str(tmp_path / "keys" / "zenml.key"))
    other = Repository()
    other.register_component(T.SECRETS_MANAGER, "sm2", "local", {})
    other.update_stack("default", {T.SECRETS_MANAGER: "sm2"})
    second = _manager()
    second.register_secret(WandbSecretSchema(name="w", api_key="k"))
    key = tmp_path / "keys" / "zenml.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert not (tmp_path / "second" / ".config-secrets.key").exists()
    key.rename(tmp_path / "keys" / "moved.key")
    with pytest.raises(SecretsManagerError, match="is missing from the key file"):
        second.get_secret("w")


def _keyring_env(tmp_path: Path) -> dict[str, str]:
    return {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
            "XDG_DATA_HOME": str(tmp_path / "data")}


def test_the_key_goes_to_a_configured_keyring(config_dir: Path, tmp_path: Path) -> None:
    """keyrings.alt's file keyring chosen by the user, as a real backend of ``keyring``."""
    setup = [["secrets-manager", "register", "sm", "--flavor=local"],
             ["stack", "update", "default", "-x", "sm"]]
    for args in setup:
        assert run_zenml(args).returncode == 0
    env = _keyring_env(tmp_path)
    result = run_zenml(["secret", "register", "wb", "-s", "wandb",
                        f"--api_key={MARKERS['wandb']}"], env=env)
    assert result.returncode == 0, result.stderr
    assert not default_key_path().exists()
    from keyrings.alt.file import PlaintextKeyring

    with pytest.MonkeyPatch.context() as patch:  # read the same keyring file back
        patch.setenv("XDG_DATA_HOME", env["XDG_DATA_HOME"])
        stored_key = PlaintextKeyring().get_password("zenml-secrets", str(config_dir))
    assert stored_key is not None and len(stored_key) == 44  # a Fernet key
    (secrets_file,) = [p for p in (config_dir / "secrets").glob("*.json")]
    assert json.loads(secrets_file.read_text())["key_store"] == "keyring"
    assert MARKERS["wandb"].encode() not in _all_bytes(config_dir)
    shown = run_zenml(["secret", "get", "wb", "--show"], env=env)
    assert shown.returncode == 0 and MARKERS["wandb"] in shown.stdout
    # the same file, where no keyring is available: one line naming the keyring
    without = run_zenml(["secret", "get", "wb"], env={"PYTHON_KEYRING_BACKEND":
                                                      "keyring.backends.fail.Keyring"})
    assert "operating system keyring" in _one_error(without)


def test_keyring_selection_on_real_backends() -> None:
    from keyring.backends import chainer, fail, null
    from keyrings.alt.file import PlaintextKeyring

    assert not _is_usable(fail.Keyring(), configured=True)
    assert not _is_usable(null.Keyring(), configured=True)
    empty = chainer.ChainerBackend()
    assert _is_usable(empty, configured=False) == bool(empty.backends)
    # keyring rates a plaintext file "not recommended" (priority 0.5): used only when chosen
    assert not _is_usable(PlaintextKeyring(), configured=False)
    assert _is_usable(PlaintextKeyring(), configured=True)


def test_cli_import_stays_free_of_crypto_and_keyring() -> None:
    code = ("import sys; from zenml.cli import cli; import zenml.cli.secret; "
            "import zenml.secrets_managers.config; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('cryptography', 'keyring', 'keyrings')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
