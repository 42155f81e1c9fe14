from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from carnet.auth.tls import (
    DEFAULT_HOSTNAMES,
    TLSConfigError,
    generate_self_signed,
    server_ssl_context,
    write_certificate,
)

from .conftest import mode

TIMEOUT = 30.0


@dataclass
class Pair:
    cert: Path
    key: Path


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    p = Pair(tmp_path / "server.crt", tmp_path / "server.key")
    write_certificate(p.cert, p.key, ["localhost", "127.0.0.1", "::1"])
    return p


@pytest.fixture
def other_pair(tmp_path: Path) -> Pair:
    p = Pair(tmp_path / "other" / "server.crt", tmp_path / "other" / "server.key")
    write_certificate(p.cert, p.key, ["localhost"])
    return p


def load(cert_pem: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(cert_pem)


# --- generate_self_signed -----------------------------------------------------------------


def test_generated_certificate_has_the_right_shape() -> None:
    cert_pem, key_pem = generate_self_signed(["localhost", "127.0.0.1", "::1"], days=30)
    cert = load(cert_pem)
    key = serialization.load_pem_private_key(key_pem, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.curve.name == "secp256r1"
    assert b"BEGIN PRIVATE KEY" in key_pem  # PKCS#8, unencrypted

    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert san.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    ]
    basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca is False
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert cert.issuer == cert.subject
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "localhost"
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert timedelta(days=30) < lifetime <= timedelta(days=30, minutes=10)
    assert cert.not_valid_before_utc <= datetime.now(timezone.utc)


def test_generated_pairs_are_distinct() -> None:
    first, second = generate_self_signed(["localhost"]), generate_self_signed(["localhost"])
    assert first[1] != second[1]
    assert load(first[0]).serial_number != load(second[0]).serial_number


def test_empty_hostnames_mean_the_loopback_defaults() -> None:
    san = load(generate_self_signed([])[0]).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    values = [str(v) for v in san.value.get_values_for_type(x509.DNSName)]
    values += [str(v) for v in san.value.get_values_for_type(x509.IPAddress)]
    assert sorted(values) == sorted(DEFAULT_HOSTNAMES)


def test_hostnames_are_normalised() -> None:
    names = ["Example.ORG.", "bücher.example", "*.lab.example", "[::1]", " 10.0.0.7 ", "::1"]
    san = load(generate_self_signed(names)[0]).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert san.value.get_values_for_type(x509.DNSName) == [
        "example.org",
        "xn--bcher-kva.example",
        "*.lab.example",
    ]
    assert san.value.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("::1"),
        ipaddress.ip_address("10.0.0.7"),
    ]


@pytest.mark.parametrize(
    "bad", ["", "   ", "a b", "exa mple.org", "-bad.org", "a..b", "x" * 64 + ".org", "foo/bar"]
)
def test_bad_hostnames_are_refused(bad: str) -> None:
    with pytest.raises(TLSConfigError, match="not a host name or IP address"):
        generate_self_signed(["localhost", bad])


def test_a_single_string_is_one_hostname() -> None:
    san = load(generate_self_signed("localhost")[0]).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert san.value.get_values_for_type(x509.DNSName) == ["localhost"]


def test_days_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        generate_self_signed(["localhost"], days=0)


# --- write_certificate --------------------------------------------------------------------


def test_write_certificate_modes(tmp_path: Path, open_umask: None) -> None:
    cert, key = tmp_path / "tls" / "c.pem", tmp_path / "private" / "k.pem"
    write_certificate(cert, key, ["localhost"], overwrite=False)
    assert mode(key) == 0o600
    assert mode(cert) == 0o644
    assert mode(key.parent) == 0o700
    assert sorted(p.name for p in key.parent.iterdir()) == ["k.pem"]  # no temp left
    server_ssl_context(str(cert), str(key))  # a matching, usable pair


def test_write_certificate_refuses_to_overwrite(pair: Pair) -> None:
    before = pair.cert.read_bytes(), pair.key.read_bytes()
    with pytest.raises(TLSConfigError, match="refusing to overwrite") as info:
        write_certificate(pair.cert, pair.key, ["localhost"], overwrite=False)
    assert str(pair.key) in str(info.value)
    assert (pair.cert.read_bytes(), pair.key.read_bytes()) == before


def test_write_certificate_refuses_if_only_the_certificate_exists(tmp_path: Path) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("mine")
    with pytest.raises(TLSConfigError, match="refusing to overwrite") as info:
        write_certificate(cert, key, ["localhost"])
    assert str(cert) in str(info.value)
    assert not key.exists()
    assert cert.read_text() == "mine"


def test_write_certificate_overwrites_when_asked(pair: Pair, open_umask: None) -> None:
    pair.key.chmod(0o644)
    old_key = pair.key.read_bytes()
    write_certificate(pair.cert, pair.key, ["localhost"], overwrite=True)
    assert pair.key.read_bytes() != old_key
    assert mode(pair.key) == 0o600  # a loose old file does not loosen the new key
    server_ssl_context(str(pair.cert), str(pair.key))


def test_write_certificate_needs_two_files(tmp_path: Path) -> None:
    with pytest.raises(TLSConfigError, match="two different files"):
        write_certificate(tmp_path / "both.pem", tmp_path / "both.pem", ["localhost"])


def test_write_certificate_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(TLSConfigError, match="cannot write") as info:
        write_certificate(tmp_path / "c.pem", blocker / "k.pem", ["localhost"])
    assert str(blocker / "k.pem") in str(info.value)


def test_write_certificate_leaves_no_half_pair(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    key = tmp_path / "k.pem"
    with pytest.raises(TLSConfigError, match="cannot write"):
        write_certificate(blocker / "c.pem", key, ["localhost"])
    assert not key.exists()


# --- server_ssl_context: configuration errors ---------------------------------------------


def one_line(exc: pytest.ExceptionInfo[TLSConfigError]) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_context_settings(pair: Pair) -> None:
    context = server_ssl_context(str(pair.cert), str(pair.key))
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_NONE
    assert context.protocol == ssl.PROTOCOL_TLS_SERVER
    assert isinstance(TLSConfigError("x"), ValueError)


def test_missing_files(pair: Pair, tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    with pytest.raises(TLSConfigError, match=r"certificate file .* does not exist") as info:
        server_ssl_context(str(missing), str(pair.key))
    assert str(missing) in one_line(info)
    with pytest.raises(TLSConfigError, match=r"key file .* does not exist") as info:
        server_ssl_context(str(pair.cert), str(missing))
    assert str(missing) in one_line(info)
    with pytest.raises(TLSConfigError, match=r"client CA file .* does not exist") as info:
        server_ssl_context(str(pair.cert), str(pair.key), client_ca=str(missing))
    assert str(missing) in one_line(info)


def test_unreadable_files(pair: Pair, tmp_path: Path) -> None:
    # Tests run as root, so mode 0000 would not stop a read; a directory does.
    directory = tmp_path / "a-directory"
    directory.mkdir()
    for args in [
        (str(directory), str(pair.key), None),
        (str(pair.cert), str(directory), None),
        (str(pair.cert), str(pair.key), str(directory)),
    ]:
        with pytest.raises(TLSConfigError, match=r"cannot read .*: it is a directory") as info:
            server_ssl_context(*args)
        assert str(directory) in one_line(info)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"hello, I am not a certificate\n",
        b"\x00\xff" * 100,
        b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
    ],
)
def test_garbage_certificate(pair: Pair, tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.crt"
    bad.write_bytes(content)
    with pytest.raises(TLSConfigError, match="certificate") as info:
        server_ssl_context(str(bad), str(pair.key))
    assert str(bad) in one_line(info)


def test_damaged_certificate(pair: Pair, tmp_path: Path) -> None:
    bad = tmp_path / "bad.crt"
    bad.write_bytes(b"-----BEGIN CERTIFICATE-----\nTUlJQ2Vn\n-----END CERTIFICATE-----\n")
    with pytest.raises(TLSConfigError, match="cannot be read") as info:
        server_ssl_context(str(bad), str(pair.key))
    assert str(bad) in one_line(info)


def test_key_file_given_as_certificate(pair: Pair) -> None:
    with pytest.raises(TLSConfigError, match="does not contain a PEM certificate") as info:
        server_ssl_context(str(pair.key), str(pair.key))
    assert str(pair.key) in one_line(info)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a key",
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    ],
)
def test_garbage_key(pair: Pair, tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.key"
    bad.write_bytes(content)
    with pytest.raises(TLSConfigError, match="private key") as info:
        server_ssl_context(str(pair.cert), str(bad))
    assert str(bad) in one_line(info)


def test_certificate_given_as_key(pair: Pair) -> None:
    with pytest.raises(TLSConfigError, match="does not contain a PEM private key") as info:
        server_ssl_context(str(pair.cert), str(pair.cert))
    assert str(pair.cert) in one_line(info)


def test_mismatched_pairs_are_refused(pair: Pair, other_pair: Pair) -> None:
    with pytest.raises(TLSConfigError, match="does not match") as info:
        server_ssl_context(str(pair.cert), str(other_pair.key))
    message = one_line(info)
    assert str(other_pair.key) in message and str(pair.cert) in message
    with pytest.raises(TLSConfigError, match="does not match"):
        server_ssl_context(str(other_pair.cert), str(pair.key))


def test_encrypted_key_is_refused_without_prompting(pair: Pair, tmp_path: Path) -> None:
    key = serialization.load_pem_private_key(pair.key.read_bytes(), password=None)
    encrypted = tmp_path / "encrypted.key"
    encrypted.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"passphrase"),
        )
    )
    with pytest.raises(TLSConfigError, match="encrypted") as info:
        server_ssl_context(str(pair.cert), str(encrypted))
    assert str(encrypted) in one_line(info)


def test_combined_file_without_keyfile(pair: Pair, tmp_path: Path) -> None:
    combined = tmp_path / "combined.pem"
    combined.write_bytes(pair.key.read_bytes() + pair.cert.read_bytes())
    assert server_ssl_context(str(combined), None).minimum_version == ssl.TLSVersion.TLSv1_2
    with pytest.raises(TLSConfigError, match="no key file was given") as info:
        server_ssl_context(str(pair.cert), None)
    assert str(pair.cert) in one_line(info)


def test_garbage_client_ca(pair: Pair, tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("not a CA")
    with pytest.raises(TLSConfigError, match="client CA") as info:
        server_ssl_context(str(pair.cert), str(pair.key), client_ca=str(bad))
    assert str(bad) in one_line(info)


def test_loose_key_and_expired_certificate_warn(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old")])
    long_ago = datetime(2001, 1, 1, tzinfo=timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(long_ago)
        .not_valid_after(long_ago + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "old.crt", tmp_path / "old.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(_key_pem(key))
    key_path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="carnet.auth.tls"):
        server_ssl_context(str(cert_path), str(key_path))
    assert "expired on 2001-01-02" in caplog.text
    assert "readable by other users" in caplog.text


# --- real handshakes on 127.0.0.1 ---------------------------------------------------------


@dataclass
class ServerResult:
    alpn: str | None = None
    version: str | None = None
    peer: dict[str, object] | None = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


StartServer = Callable[[ssl.SSLContext], tuple[int, ServerResult]]


@pytest.fixture
def tls_server() -> Iterator[StartServer]:
    """Start a one-connection TLS echo server on 127.0.0.1 in a thread; returns (port, result)."""
    threads: list[threading.Thread] = []
    sockets: list[socket.socket] = []

    def start(context: ssl.SSLContext) -> tuple[int, ServerResult]:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(TIMEOUT)
        sockets.append(listener)
        result = ServerResult()

        def serve() -> None:
            try:
                conn, _ = listener.accept()
                conn.settimeout(TIMEOUT)
                with context.wrap_socket(conn, server_side=True) as tls:
                    result.alpn = tls.selected_alpn_protocol()
                    result.version = tls.version()
                    result.peer = tls.getpeercert()  # type: ignore[assignment]
                    data = tls.recv(1024)
                    tls.sendall(b"echo:" + data)
            except BaseException as exc:  # reported to the test
                result.error = exc
            finally:
                result.done.set()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        threads.append(thread)
        return listener.getsockname()[1], result

    yield start
    for s in sockets:
        s.close()
    for t in threads:
        t.join(TIMEOUT)


def talk(port: int, context: ssl.SSLContext, server_hostname: str) -> bytes | None:
    """Connect, send a line, return the reply (None if the connection failed after connect)."""
    with (
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw,
        context.wrap_socket(raw, server_hostname=server_hostname) as tls,
    ):
        try:
            tls.sendall(b"hello")
            return tls.recv(1024)
        except (ssl.SSLError, OSError):
            return None


def client_context(trust: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(trust))
    context.set_alpn_protocols(["h2", "http/1.1"])
    return context


@pytest.mark.parametrize("server_hostname", ["localhost", "127.0.0.1"])
def test_handshake_verifies_san(pair: Pair, tls_server: StartServer, server_hostname: str) -> None:
    port, result = tls_server(server_ssl_context(str(pair.cert), str(pair.key)))
    client = client_context(pair.cert)
    client.verify_flags |= ssl.VERIFY_X509_STRICT
    assert client.check_hostname and client.verify_mode == ssl.CERT_REQUIRED
    assert talk(port, client, server_hostname) == b"echo:hello"
    assert result.done.wait(TIMEOUT)
    assert result.error is None
    assert result.alpn == "http/1.1"
    assert result.version in {"TLSv1.2", "TLSv1.3"}


def test_handshake_with_tls_1_2_client(pair: Pair, tls_server: StartServer) -> None:
    port, result = tls_server(server_ssl_context(str(pair.cert), str(pair.key)))
    client = client_context(pair.cert)
    client.maximum_version = ssl.TLSVersion.TLSv1_2
    assert talk(port, client, "localhost") == b"echo:hello"
    assert result.done.wait(TIMEOUT)
    assert result.version == "TLSv1.2"


def test_wrong_hostname_is_refused_by_the_client(pair: Pair, tls_server: StartServer) -> None:
    port, result = tls_server(server_ssl_context(str(pair.cert), str(pair.key)))
    with pytest.raises(ssl.SSLCertVerificationError, match="match"):
        talk(port, client_context(pair.cert), "example.org")
    assert result.done.wait(TIMEOUT)
    assert result.error is not None


def test_untrusted_certificate_is_refused_by_the_client(
    pair: Pair, other_pair: Pair, tls_server: StartServer
) -> None:
    port, result = tls_server(server_ssl_context(str(pair.cert), str(pair.key)))
    with pytest.raises(ssl.SSLCertVerificationError):
        talk(port, client_context(other_pair.cert), "localhost")
    assert result.done.wait(TIMEOUT)


# --- mutual TLS ---------------------------------------------------------------------------


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@dataclass
class Authority:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    path: Path

    @classmethod
    def create(cls, path: Path, name: str) -> Authority:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.now(timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cls(cert, key, path)

    def issue_client(self, directory: Path, name: str) -> tuple[Path, Path]:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), False
            )
            .sign(self.key, hashes.SHA256())
        )
        cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(_key_pem(key))
        return cert_path, key_path


def test_mutual_tls(pair: Pair, tmp_path: Path, tls_server: StartServer) -> None:
    authority = Authority.create(tmp_path / "client-ca.pem", "carnet test CA")
    client_cert, client_key = authority.issue_client(tmp_path, "alice")
    server_context = server_ssl_context(
        str(pair.cert), str(pair.key), client_ca=str(authority.path)
    )
    assert server_context.verify_mode == ssl.CERT_REQUIRED

    port, result = tls_server(server_context)
    client = client_context(pair.cert)
    client.load_cert_chain(str(client_cert), str(client_key))
    assert talk(port, client, "localhost") == b"echo:hello"
    assert result.done.wait(TIMEOUT)
    assert result.error is None
    assert result.peer is not None
    assert (("commonName", "alice"),) in result.peer["subject"]  # type: ignore[operator]


def test_mutual_tls_refuses_a_client_without_certificate(
    pair: Pair, tmp_path: Path, tls_server: StartServer
) -> None:
    authority = Authority.create(tmp_path / "client-ca.pem", "carnet test CA")
    port, result = tls_server(
        server_ssl_context(str(pair.cert), str(pair.key), client_ca=str(authority.path))
    )
    try:
        reply = talk(port, client_context(pair.cert), "localhost")
    except (ssl.SSLError, OSError):
        reply = None  # TLS 1.2 fails in the handshake, TLS 1.3 on the first read
    assert reply in (None, b"")
    assert result.done.wait(TIMEOUT)
    assert isinstance(result.error, ssl.SSLError)


def test_mutual_tls_refuses_a_certificate_from_another_ca(
    pair: Pair, tmp_path: Path, tls_server: StartServer
) -> None:
    trusted = Authority.create(tmp_path / "trusted.pem", "trusted CA")
    rogue = Authority.create(tmp_path / "rogue.pem", "rogue CA")
    rogue_cert, rogue_key = rogue.issue_client(tmp_path, "mallory")
    port, result = tls_server(
        server_ssl_context(str(pair.cert), str(pair.key), client_ca=str(trusted.path))
    )
    client = client_context(pair.cert)
    client.load_cert_chain(str(rogue_cert), str(rogue_key))
    try:
        reply = talk(port, client, "localhost")
    except (ssl.SSLError, OSError):
        reply = None
    assert reply in (None, b"")
    assert result.done.wait(TIMEOUT)
    assert isinstance(result.error, ssl.SSLError)
