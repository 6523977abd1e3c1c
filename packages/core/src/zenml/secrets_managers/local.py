"""The ``local`` secrets manager: secrets encrypted in one file under the global config folder.

Layout (``<config>`` is the global config folder, see :mod:`zenml.config.global_config`):

- ``<config>/secrets/<component id>.json`` (0600, folder 0700): one file per
  ``local`` secrets manager. Names, schemas and key names are readable; each
  secret's values (with its name and schema, so a swapped entry is detected)
  are one Fernet token (AES-128-CBC + HMAC-SHA256, from ``cryptography``).
- The key, kept apart from that file: in the operating system keyring (service
  ``zenml-secrets``, entry: the config folder's path) when the ``keyring``
  library is installed and has a real backend; otherwise in the file
  ``<config>/../.<config folder name>-secrets.key`` (0600), beside the config
  folder and not in it (``~/.config/.zenml-secrets.key`` by default), or in
  ``$ZENML_SECRETS_KEY_PATH``. Where the key was put is written in the secrets
  file, so a later session looks in the same place.

A copied config folder (stack store and secrets file) without the key reveals
names only. Every write is a read-modify-write under ``fcntl.flock`` on
``<config>/secrets/.lock`` and replaces the file atomically; any error (missing
or wrong key, corrupt file, newer format) is one line and leaves the file as
it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zenml.errors import EntityExistsError, EntityNotFoundError, SecretsManagerError
from zenml.secrets_managers.base import BaseSecretsManager
from zenml.secrets_managers.config import LocalSecretsManagerConfig
from zenml.utils.files import open_private, private_dir, replace_privately, tighten
from zenml.utils.names import validate_name

if TYPE_CHECKING:
    from zenml.secrets_managers.schemas import BaseSecretSchema

__all__ = ["FORMAT_VERSION", "KEYRING_SERVICE", "KEY_PATH_ENV", "LocalSecretsManager",
           "default_key_path", "secrets_dir", "usable_keyring"]

#: The secrets file's format; a file with a higher one is refused (written by a newer zenml).
FORMAT_VERSION = 1
FORMAT_NAME = "zenml-local-secrets"
#: A file path for the key, used instead of the keyring and the default key file.
KEY_PATH_ENV = "ZENML_SECRETS_KEY_PATH"
KEYRING_SERVICE = "zenml-secrets"
KEY_IN_KEYRING = "keyring"
KEY_IN_FILE = "file"


def secrets_dir() -> Path:
    """The folder of the ``local`` secrets managers' files."""
    from zenml.config.global_config import config_dir

    return config_dir() / "secrets"


def default_key_path() -> Path:
    """The key file beside (not inside) the global config folder."""
    from zenml.config.global_config import config_dir

    folder = config_dir()
    return folder.parent / f".{folder.name}-secrets.key"


def key_file_path() -> Path:
    """``$ZENML_SECRETS_KEY_PATH`` or :func:`default_key_path`."""
    override = os.environ.get(KEY_PATH_ENV)
    return Path(override).expanduser().absolute() if override else default_key_path()


def usable_keyring() -> Any | None:
    """The ``keyring`` backend to keep the key in, or None to use the key file.

    None when ``ZENML_SECRETS_KEY_PATH`` is set (an explicit choice of file), when
    the ``keyring`` library is not installed, or when its backend is no real store:
    the fail or null backend, a chainer with nothing to chain, or a backend keyring
    itself rates "not recommended" (priority below 1, e.g. a plaintext file) unless
    the user configured it (``PYTHON_KEYRING_BACKEND`` or keyring's config file).
    """
    if os.environ.get(KEY_PATH_ENV):
        return None
    try:  # optional, and untyped for mypy when absent: imported by name
        keyring = importlib.import_module("keyring")
        keyring_core = importlib.import_module("keyring.core")
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
        return backend if _is_usable(backend, _configured_backend(keyring_core)) else None
    except Exception:  # a broken backend must not break zenml: fall back to the file
        return None


def _configured_backend(keyring_core: Any) -> bool:
    """Whether the user chose keyring's backend (environment variable or config file)."""
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    with contextlib.suppress(Exception):
        return keyring_core.load_config() is not None
    return False


def _is_usable(backend: Any, configured: bool) -> bool:
    """Whether keyring's ``backend`` can keep a key (see :func:`usable_keyring`)."""
    module = type(backend).__module__
    if module in ("keyring.backends.fail", "keyring.backends.null"):
        return False
    if module == "keyring.backends.chainer":
        return bool(getattr(backend, "backends", ()))
    if configured:
        return True
    try:
        priority = float(type(backend).priority)
    except Exception:
        return False
    return priority >= 1


def _key_id(key: bytes) -> str:
    """A fingerprint of the key (tells a wrong key from a corrupt file; reveals nothing)."""
    return hashlib.sha256(b"zenml-secrets-key\0" + key).hexdigest()[:16]


class _KeyStore:
    """Where the key of a config folder's secrets is: the keyring or a key file."""

    def __init__(self, kind: str, backend: Any = None) -> None:
        from zenml.config.global_config import config_dir

        self.kind = kind
        self.backend = backend
        self.entry = str(config_dir())
        self.path = key_file_path()

    @classmethod
    def for_new_file(cls) -> _KeyStore:
        """The keyring when usable, else the key file."""
        backend = usable_keyring()
        return cls(KEY_IN_FILE) if backend is None else cls(KEY_IN_KEYRING, backend)

    @classmethod
    def recorded(cls, kind: str, secrets_file: Path) -> _KeyStore:
        """The store a secrets file says its key is in."""
        if kind == KEY_IN_FILE:
            return cls(KEY_IN_FILE)
        backend = usable_keyring()
        if backend is None:
            raise SecretsManagerError(
                f"The key of secrets file {secrets_file} is kept in the operating system "
                f"keyring (service '{KEYRING_SERVICE}'), which is not available here; "
                f"install 'keyring' and unlock your keyring (unset {KEY_PATH_ENV}), then "
                f"run the command again")
        return cls(KEY_IN_KEYRING, backend)

    @property
    def where(self) -> str:
        """Where the key is, for messages."""
        if self.kind == KEY_IN_KEYRING:
            return (f"the operating system keyring (service '{KEYRING_SERVICE}', entry "
                    f"'{self.entry}')")
        return f"the key file {self.path}"

    def load(self) -> bytes | None:
        """The key, or None when there is none."""
        if self.kind == KEY_IN_KEYRING:
            try:
                text = self.backend.get_password(KEYRING_SERVICE, self.entry)
            except Exception as error:
                raise SecretsManagerError(
                    f"Cannot read the secrets key from {self.where}: {type(error).__name__}; "
                    f"unlock your keyring and run the command again") from None
            return None if text is None else self._checked(text.encode())
        try:
            tighten([self.path], reason="it is the key of zenml's secrets")
            return self._checked(self.path.read_bytes())
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise SecretsManagerError(
                f"{self.path} is a folder, not the secrets key file; move it away or set "
                f"{KEY_PATH_ENV} to the key file") from None
        except OSError as error:
            raise SecretsManagerError(
                f"Cannot read the secrets key file {self.path} ({error.strerror}); give your "
                f"user access to it") from None

    def _checked(self, key: bytes) -> bytes:
        from cryptography.fernet import Fernet

        key = key.strip()
        try:
            Fernet(key)
        except ValueError:
            raise SecretsManagerError(
                f"{self.where[0].upper()}{self.where[1:]} does not hold a zenml secrets key "
                f"(a Fernet key); restore the key the secrets were written with") from None
        return key

    def create(self) -> bytes:
        """A new key, stored; a key stored meanwhile by another process wins."""
        from cryptography.fernet import Fernet

        key = Fernet.generate_key()
        if self.kind == KEY_IN_KEYRING:
            existing = self.load()
            if existing is not None:
                return existing
            try:
                self.backend.set_password(KEYRING_SERVICE, self.entry, key.decode())
            except Exception as error:
                raise SecretsManagerError(
                    f"Cannot store the secrets key in {self.where}: {type(error).__name__}; "
                    f"unlock your keyring, or set {KEY_PATH_ENV} to keep the key in a file"
                ) from None
            return key
        private_dir(self.path.parent)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.",
                                                 suffix=".partial", dir=self.path.parent)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(key + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.link(temporary, self.path)  # fails when a key exists: never replace a key
        except FileExistsError:
            existing = self.load()
            if existing is None:
                raise
            return existing
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return key


class LocalSecretsManager(BaseSecretsManager):
    """Secrets encrypted in a private file under the global config folder (see the module)."""

    config: LocalSecretsManagerConfig

    # -- files -------------------------------------------------------------------------

    @property
    def secrets_file(self) -> Path:
        """This manager's file: ``<config>/secrets/<component id>.json``."""
        try:
            file_name = f"{uuid.UUID(str(self.id))}.json"
        except ValueError:
            raise SecretsManagerError(
                f"Secrets manager '{self.name}' has an invalid id {self.id!r}; register it "
                f"again with 'zenml secrets-manager register'") from None
        return secrets_dir() / file_name

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the secrets folder's lock (other zenml processes wait)."""
        folder = private_dir(secrets_dir())
        tighten([folder])
        descriptor = open_private(folder / ".lock", os.O_RDWR | os.O_CREAT)
        try:
            try:
                import fcntl
            except ImportError:  # no flock (Windows): writes stay atomic, not serialised
                yield
                return
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            os.close(descriptor)

    def _corrupt(self, problem: str) -> SecretsManagerError:
        return SecretsManagerError(
            f"Secrets file {self.secrets_file} of secrets manager '{self.name}' is corrupt "
            f"({problem}); restore it from a backup, or move it away to start with no secrets")

    def _read(self) -> dict[str, Any] | None:
        """The file's content, checked; None when the file does not exist yet."""
        path = self.secrets_file
        try:
            tighten([path])
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise self._corrupt("it is a folder") from None
        except OSError as error:
            raise SecretsManagerError(
                f"Cannot read secrets file {path} ({error.strerror}); give your user access "
                f"to it") from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise self._corrupt("not JSON") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise self._corrupt("not a zenml secrets file")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self._corrupt("no valid format version")
        if version > FORMAT_VERSION:
            raise SecretsManagerError(
                f"Secrets file {path} of secrets manager '{self.name}' was written by a newer "
                f"zenml (format {version}; this one reads format {FORMAT_VERSION}); upgrade "
                f"zenml-core to use it")
        secrets = data.get("secrets")
        if (data.get("key_store") not in (KEY_IN_FILE, KEY_IN_KEYRING)
                or not isinstance(data.get("key_id"), str) or not isinstance(secrets, dict)):
            raise self._corrupt("missing fields")
        for entry in secrets.values():
            if (not isinstance(entry, dict) or not isinstance(entry.get("token"), str)
                    or not isinstance(entry.get("schema"), str)
                    or not isinstance(entry.get("keys"), list)):
                raise self._corrupt("a secret's entry is malformed")
        return data

    def _key_for(self, data: dict[str, Any] | None) -> tuple[bytes, _KeyStore]:
        """The key to read (and write) ``data``; created when there is no file yet."""
        if data is None:
            store = _KeyStore.for_new_file()
            return store.load() or store.create(), store
        store = _KeyStore.recorded(data["key_store"], self.secrets_file)
        key = store.load()
        if key is None:
            raise SecretsManagerError(
                f"The key of secrets file {self.secrets_file} (secrets manager '{self.name}') "
                f"is missing from {store.where}; restore that key (or set {KEY_PATH_ENV} "
                f"to the key file) - without it these secrets cannot be read")
        if _key_id(key) != data["key_id"]:
            raise self._wrong_key(store)
        return key, store

    def _wrong_key(self, store: _KeyStore) -> SecretsManagerError:
        return SecretsManagerError(
            f"Secrets file {self.secrets_file} (secrets manager '{self.name}') was encrypted "
            f"with another key than the one in {store.where}; restore the key it was written "
            f"with (or set {KEY_PATH_ENV} to it)")

    def _write(self, data: dict[str, Any]) -> None:
        private_dir(secrets_dir())
        with replace_privately(self.secrets_file, "w", durable=True, encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
            handle.write("\n")

    @staticmethod
    def _new_data(store: _KeyStore, key: bytes) -> dict[str, Any]:
        return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "key_store": store.kind,
                "key_id": _key_id(key), "secrets": {}}

    # -- secrets -----------------------------------------------------------------------

    def _not_found(self, secret_name: str) -> EntityNotFoundError:
        return EntityNotFoundError(
            f"No secret '{secret_name}' in secrets manager '{self.name}'; register it with "
            f"'zenml secret register {secret_name} --KEY=VALUE' (see 'zenml secret list')")

    def _encrypt(self, key: bytes, secret: BaseSecretSchema) -> dict[str, Any]:
        from cryptography.fernet import Fernet

        content = secret.content
        payload = json.dumps({"name": secret.name, "schema": secret.TYPE, "content": content})
        return {"schema": secret.TYPE, "keys": sorted(content),
                "token": Fernet(key).encrypt(payload.encode("utf-8")).decode("ascii")}

    def _decrypt(self, key: bytes, name: str, entry: dict[str, Any]) -> BaseSecretSchema:
        from cryptography.fernet import Fernet, InvalidToken
        from pydantic import ValidationError

        from zenml.secrets_managers.schemas import SCHEMAS

        try:
            payload = json.loads(Fernet(key).decrypt(entry["token"].encode("ascii")))
        except InvalidToken:  # the key matches the file's fingerprint: the entry was altered
            raise self._corrupt(f"secret '{name}' does not decrypt") from None
        except (UnicodeError, ValueError):
            raise self._corrupt(f"secret '{name}' cannot be decoded") from None
        if (not isinstance(payload, dict) or payload.get("name") != name
                or payload.get("schema") != entry["schema"]
                or not isinstance(payload.get("content"), dict)):
            raise self._corrupt(f"secret '{name}' does not match its entry")
        schema = SCHEMAS.get(entry["schema"])
        if schema is None:
            raise SecretsManagerError(
                f"Secret '{name}' of secrets manager '{self.name}' has schema "
                f"'{entry['schema']}', which this zenml does not know; upgrade zenml-core")
        try:
            return schema(name=name, **payload["content"])
        except ValidationError:
            raise self._corrupt(f"secret '{name}' does not fit its schema") from None

    def register_secret(self, secret: BaseSecretSchema) -> None:
        """Store a new secret; a name that exists already is an error."""
        validate_name("secret", secret.name)
        with self._locked():
            data = self._read()
            key, store = self._key_for(data)
            if data is None:
                data = self._new_data(store, key)
            if secret.name in data["secrets"]:
                raise EntityExistsError(
                    f"Secret '{secret.name}' already exists in secrets manager '{self.name}'; "
                    f"change it with 'zenml secret update {secret.name} --KEY=VALUE' or "
                    f"delete it first")
            data["secrets"][secret.name] = self._encrypt(key, secret)
            self._write(data)

    def get_secret(self, secret_name: str) -> BaseSecretSchema:
        """The secret called ``secret_name``."""
        data = self._read()
        if data is None or secret_name not in data["secrets"]:
            raise self._not_found(secret_name)
        key, _ = self._key_for(data)
        return self._decrypt(key, secret_name, data["secrets"][secret_name])

    def update_secret(self, secret: BaseSecretSchema) -> None:
        """Replace an existing secret's values (and schema)."""
        with self._locked():
            data = self._read()
            if data is None or secret.name not in data["secrets"]:
                raise self._not_found(secret.name)
            key, _ = self._key_for(data)
            data["secrets"][secret.name] = self._encrypt(key, secret)
            self._write(data)

    def delete_secret(self, secret_name: str) -> None:
        """Remove a secret (the key is not needed)."""
        with self._locked():
            data = self._read()
            if data is None or secret_name not in data["secrets"]:
                raise self._not_found(secret_name)
            del data["secrets"][secret_name]
            self._write(data)

    def get_all_secret_keys(self) -> list[str]:
        """The names of every secret, sorted (the key is not needed)."""
        data = self._read()
        return [] if data is None else sorted(data["secrets"])

    def secret_keys(self, secret_name: str) -> tuple[str, list[str]]:
        """A secret's schema and key names, without decrypting it."""
        data = self._read()
        if data is None or secret_name not in data["secrets"]:
            raise self._not_found(secret_name)
        entry = data["secrets"][secret_name]
        return entry["schema"], [str(key) for key in entry["keys"]]
