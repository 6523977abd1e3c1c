"""A throwaway MariaDB server for the tests, and TLS certificates for it.

``MariaDB`` runs ``mariadbd`` on a free loopback port with its own datadir
(copied from one ``mariadb-install-db`` template per test session), its own
unix socket (for root, which logs in without a password over the socket only)
and optionally TLS. It is stopped by its PID.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymysql

from zenml.testing.servers import stop_process

__all__ = ["Binaries", "Certificates", "MariaDB", "find_binaries", "free_port", "make_certificates"]

_SEARCH_PATH = os.pathsep.join(
    [os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin", "/usr/libexec", "/sbin"])
#: Unix socket paths must stay under 108 bytes.
_MAX_SOCKET_PATH = 100


@dataclass(frozen=True)
class Binaries:
    server: str
    install_db: str


def find_binaries() -> Binaries | None:
    """``mariadbd`` (or MariaDB's ``mysqld``) and ``mariadb-install-db``, if installed."""
    server = shutil.which("mariadbd", path=_SEARCH_PATH) or shutil.which(
        "mysqld", path=_SEARCH_PATH)
    install_db = shutil.which("mariadb-install-db", path=_SEARCH_PATH) or shutil.which(
        "mysql_install_db", path=_SEARCH_PATH)
    if server is None or install_db is None:
        return None
    return Binaries(server=server, install_db=install_db)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _user_flag() -> list[str]:
    return ["--user=root"] if os.geteuid() == 0 else []


def install_template(binaries: Binaries, datadir: Path) -> None:
    """A fresh, empty datadir (system tables only); about half a second."""
    datadir.mkdir(parents=True)
    done = subprocess.run(
        [binaries.install_db, "--no-defaults", f"--datadir={datadir}", *_user_flag(),
         "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"],
        capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"mariadb-install-db failed ({done.returncode}):\n"
                           f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


@dataclass(frozen=True)
class Certificates:
    """PEM files: a CA, a server certificate for 127.0.0.1 signed by it, a client
    certificate signed by it, and an unrelated CA."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    other_ca: Path


def make_certificates(folder: Path) -> Certificates:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> Path:
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
        path.chmod(0o600)
        return path

    def write_cert(path: Path, cert: x509.Certificate) -> Path:
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return path

    def ca(common: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(name(common)).issuer_name(name(common))
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=30))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True,
                    crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                               critical=False)
                .sign(key, hashes.SHA256()))
        return key, cert

    def leaf(common: str, issuer: tuple[ec.EllipticCurvePrivateKey, x509.Certificate],
             usage: x509.ObjectIdentifier, sans: list[x509.GeneralName] | None
             ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (x509.CertificateBuilder().subject_name(name(common))
                   .issuer_name(issuer[1].subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                                  critical=True)
                   .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       issuer[0].public_key()), critical=False))
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return key, builder.sign(issuer[0], hashes.SHA256())

    authority = ca("zenml test CA")
    server = leaf("127.0.0.1", authority, ExtendedKeyUsageOID.SERVER_AUTH,
                  [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    client = leaf("zenml test client", authority, ExtendedKeyUsageOID.CLIENT_AUTH, None)
    other = ca("some other CA")
    return Certificates(
        ca=write_cert(folder / "ca.pem", authority[1]),
        server_cert=write_cert(folder / "server-cert.pem", server[1]),
        server_key=write_key(folder / "server-key.pem", server[0]),
        client_cert=write_cert(folder / "client-cert.pem", client[1]),
        client_key=write_key(folder / "client-key.pem", client[0]),
        other_ca=write_cert(folder / "other-ca.pem", other[1]),
    )



def run_sql(connect: Callable[[], Any], *statements: str) -> list[tuple[Any, ...]]:
    """Run statements on a new connection from ``connect``; the rows of the last one."""
    connection = connect()
    try:
        rows: list[tuple[Any, ...]] = []
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
                rows = list(cursor.fetchall())
        return rows
    finally:
        connection.close()

class MariaDB:
    """One ``mariadbd`` process on 127.0.0.1:<port> with its own datadir."""

    host = "127.0.0.1"

    def __init__(self, binaries: Binaries, template: Path, folder: Path,
                 certificates: Certificates | None = None) -> None:
        self.binaries = binaries
        self.folder = folder
        self.datadir = folder / "data"
        self.certificates = certificates
        shutil.copytree(template, self.datadir)
        (folder / "tmp").mkdir()
        run = folder / "run"
        if len(str(run / "mysqld.sock")) > _MAX_SOCKET_PATH:
            run = Path(tempfile.mkdtemp(prefix="zmy-"))
        else:
            run.mkdir()
        self.socket = run / "mysqld.sock"
        self.log = folder / "error.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def _command(self) -> list[str]:
        command = [
            self.binaries.server, "--no-defaults", f"--datadir={self.datadir}",
            f"--socket={self.socket}", f"--port={self.port}", "--bind-address=127.0.0.1",
            *_user_flag(), f"--pid-file={self.socket.with_suffix('.pid')}",
            f"--tmpdir={self.folder / 'tmp'}", "--skip-name-resolve",
            f"--log-error={self.log}", "--innodb-buffer-pool-size=64M",
            "--innodb-log-file-size=16M", "--innodb-flush-log-at-trx-commit=2",
            "--skip-log-bin", "--character-set-server=utf8mb4", "--max-connections=300",
        ]
        if self.certificates is not None:
            command += [f"--ssl-ca={self.certificates.ca}",
                        f"--ssl-cert={self.certificates.server_cert}",
                        f"--ssl-key={self.certificates.server_key}"]
        return command

    def start(self, timeout: float = 30.0) -> None:
        """Start on the same port as before, or on a free one the first time."""
        attempts = 1 if self.port else 3
        for attempt in range(attempts):
            if not self.port or attempt:
                self.port = free_port()
            self.process = subprocess.Popen(self._command(), stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._wait_ready(timeout):
                return
            self.stop()
        log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
        raise RuntimeError(f"mariadbd did not start on port {self.port}:\n{log}")

    def _wait_ready(self, timeout: float) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                self.root().close()
            except pymysql.err.Error:
                time.sleep(0.05)
                continue
            return True
        return False

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server (SIGTERM to its PID, SIGKILL if it lingers)."""
        if self.process is None:
            return
        process, self.process = self.process, None
        stop_process(process, timeout)

    def restart(self) -> None:
        self.stop()
        self.start()

    def root(self, **kwargs: Any) -> pymysql.connections.Connection[Any]:
        """root over the unix socket (no password)."""
        return pymysql.connect(unix_socket=str(self.socket), user="root", connect_timeout=5,
                               autocommit=True, **kwargs)

    def sql(self, *statements: str) -> list[tuple[Any, ...]]:
        """Run statements as root; the rows of the last one."""
        return run_sql(self.root, *statements)
