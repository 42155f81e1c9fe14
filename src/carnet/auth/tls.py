"""TLS: self-signed certificates for ``carnet certificate`` and the server's SSL context.

:func:`server_ssl_context` checks the files itself before OpenSSL sees them, because
OpenSSL's errors (``[SSL] PEM lib (_ssl.c:3900)``) do not say which file is wrong or why.
Every problem becomes a one-line :class:`TLSConfigError` naming the file: missing,
unreadable, not a certificate, not a key, an encrypted key, or a key that does not belong
to the certificate. ``cryptography`` is imported only when these functions run.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import ssl
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from carnet.auth._files import describe_os_error, is_loose, make_private_dir, write_private_file
from carnet.auth.errors import TLSConfigError

if TYPE_CHECKING:
    from cryptography import x509

__all__ = [
    "DEFAULT_HOSTNAMES",
    "TLSConfigError",
    "generate_self_signed",
    "server_ssl_context",
    "write_certificate",
]

_log = logging.getLogger(__name__)

DEFAULT_HOSTNAMES: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")

_MAX_PEM_BYTES = 1 << 20
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----.*?-----END \1-----", re.DOTALL)
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_DNS_NAME = re.compile(rf"(?:\*\.)?(?:{_LABEL}\.)*{_LABEL}")
_BACKDATE = timedelta(minutes=5)  # tolerate a client clock slightly behind ours


def generate_self_signed(
    hostnames: Sequence[str] = DEFAULT_HOSTNAMES, days: int = 365
) -> tuple[bytes, bytes]:
    """A new self-signed server certificate and its key, both PEM: ``(cert, key)``.

    The key is EC P-256 (PKCS#8, unencrypted). The certificate names every entry of
    ``hostnames`` in its subjectAltName — IP addresses (``127.0.0.1``, ``::1``) as IP
    entries, anything else as a DNS name (IDNA-encoded; ``*.example.org`` allowed) — is
    valid for ``days`` days, and is a leaf (CA false, serverAuth). An empty ``hostnames``
    means :data:`DEFAULT_HOSTNAMES`. Raises :class:`TLSConfigError` for a bad host name and
    ``ValueError`` for ``days < 1``.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    if days < 1:
        raise ValueError("a certificate must be valid for at least one day")
    if isinstance(hostnames, str):
        hostnames = [hostnames]  # one name, not a sequence of characters
    entries = _san_entries(hostnames or DEFAULT_HOSTNAMES)
    first = entries[0]
    common_name = str(first.value)[:64]

    key = ec.generate_private_key(ec.SECP256R1())
    public_key = key.public_key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "carnet"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(entries), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert_pem, key_pem


def write_certificate(
    cert_path: Path,
    key_path: Path,
    hostnames: Sequence[str] = DEFAULT_HOSTNAMES,
    overwrite: bool = False,
    days: int = 365,
) -> None:
    """Generate a self-signed pair (see :func:`generate_self_signed`) and write it.

    The key file is mode 0600 from its creation (written to a private temporary file and
    renamed into place), the certificate 0644; missing directories are created 0700.
    Existing files are kept unless ``overwrite`` is true. Raises :class:`TLSConfigError`
    naming the file on any problem; without ``overwrite`` a failed run leaves nothing
    behind, and no file is ever left half-written.
    """
    cert_path, key_path = Path(cert_path), Path(key_path)
    if cert_path.resolve() == key_path.resolve():
        raise TLSConfigError(f"the certificate and the key need two different files: {cert_path}")
    if not overwrite:
        for path in (key_path, cert_path):
            if path.exists() or path.is_symlink():
                raise TLSConfigError(f"refusing to overwrite {path}; it already exists")
    cert_pem, key_pem = generate_self_signed(hostnames, days)
    key_written = False
    current = key_path
    try:
        make_private_dir(key_path.parent)
        write_private_file(key_path, key_pem, replace=overwrite)
        key_written = True
        current = cert_path
        make_private_dir(cert_path.parent)
        write_private_file(cert_path, cert_pem, replace=overwrite)
        cert_path.chmod(0o644)
    except FileExistsError as exc:
        if key_written and not overwrite:
            key_path.unlink(missing_ok=True)
        raise TLSConfigError(f"refusing to overwrite {current}; it already exists") from exc
    except OSError as exc:
        if key_written and not overwrite:
            key_path.unlink(missing_ok=True)
        raise TLSConfigError(f"cannot write {current}: {describe_os_error(exc)}") from exc


def server_ssl_context(
    certfile: str | os.PathLike[str],
    keyfile: str | os.PathLike[str] | None,
    client_ca: str | os.PathLike[str] | None = None,
) -> ssl.SSLContext:
    """An SSL context for the server: TLS 1.2 or newer, ALPN ``http/1.1``.

    ``keyfile=None`` means the key is in ``certfile`` (as Jupyter allows). With
    ``client_ca`` (a PEM file of CA certificates) every client must present a certificate
    signed by one of them (mutual TLS, ``CERT_REQUIRED``). Raises :class:`TLSConfigError`
    with one line naming the file that is missing, unreadable, not a PEM certificate or
    key, encrypted, or whose key does not match the certificate.

    With uvicorn: ``Config(..., ssl_context_factory=lambda config, default: context)``.
    """
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    cert_path = Path(certfile)
    cert_data = _read_pem(cert_path, "certificate")
    certificate = _first_certificate(cert_path, cert_data, "certificate")

    key_path = Path(keyfile) if keyfile is not None else cert_path
    key_data = _read_pem(key_path, "key") if keyfile is not None else cert_data
    key_block = next(
        (block for label, block in _pem_blocks(key_data) if label.endswith(b"PRIVATE KEY")),
        None,
    )
    if key_block is None:
        hint = "" if keyfile is not None else " (and no key file was given)"
        raise TLSConfigError(f"{key_path} does not contain a PEM private key{hint}")
    if b"ENCRYPTED" in key_block:
        raise TLSConfigError(f"the key in {key_path} is encrypted; carnet needs an unencrypted key")
    try:
        key = serialization.load_pem_private_key(key_block, password=None)
    except (ValueError, TypeError) as exc:
        raise TLSConfigError(f"{key_path} holds a private key that cannot be read") from exc
    except UnsupportedAlgorithm as exc:
        raise TLSConfigError(f"{key_path} holds a private key of an unsupported type") from exc

    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*spki) != certificate.public_key().public_bytes(*spki):
        raise TLSConfigError(
            f"the private key in {key_path} does not match the certificate in {cert_path}"
        )
    if keyfile is not None and is_loose(key_path):
        _log.warning("The TLS key %s is readable by other users; chmod 600 it", key_path)
    if certificate.not_valid_after_utc < datetime.now(timezone.utc):
        _log.warning(
            "The certificate %s expired on %s; browsers will refuse it",
            cert_path,
            certificate.not_valid_after_utc.date().isoformat(),
        )

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    try:
        context.load_cert_chain(str(cert_path), str(key_path), password=_never_prompt)
    except ssl.SSLError as exc:
        raise TLSConfigError(f"OpenSSL refused the certificate {cert_path}: {exc.reason}") from exc
    except OSError as exc:
        raise TLSConfigError(f"cannot read {cert_path}: {describe_os_error(exc)}") from exc

    if client_ca is not None:
        ca_path = Path(client_ca)
        _first_certificate(ca_path, _read_pem(ca_path, "client CA"), "client CA certificate")
        try:
            context.load_verify_locations(cafile=str(ca_path))
        except ssl.SSLError as exc:
            raise TLSConfigError(
                f"OpenSSL refused the client CA file {ca_path}: {exc.reason}"
            ) from exc
        except OSError as exc:
            raise TLSConfigError(f"cannot read {ca_path}: {describe_os_error(exc)}") from exc
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def _never_prompt() -> bytes:
    # load_cert_chain would otherwise ask for a passphrase on the terminal.
    raise TLSConfigError("the TLS key is encrypted; carnet needs an unencrypted key")


def _read_pem(path: Path, kind: str) -> bytes:
    try:
        with path.open("rb") as f:
            data = f.read(_MAX_PEM_BYTES + 1)
    except FileNotFoundError as exc:
        raise TLSConfigError(f"the {kind} file {path} does not exist") from exc
    except OSError as exc:
        reason = describe_os_error(exc)
        raise TLSConfigError(f"cannot read the {kind} file {path}: {reason}") from exc
    if len(data) > _MAX_PEM_BYTES:
        raise TLSConfigError(f"the {kind} file {path} is too large to be a PEM file")
    return data


def _pem_blocks(data: bytes) -> list[tuple[bytes, bytes]]:
    return [(m.group(1), m.group(0)) for m in _PEM_BLOCK.finditer(data)]


def _first_certificate(path: Path, data: bytes, kind: str) -> x509.Certificate:
    from cryptography import x509

    block = next((block for label, block in _pem_blocks(data) if label == b"CERTIFICATE"), None)
    if block is None:
        raise TLSConfigError(f"{path} does not contain a PEM {kind}")
    try:
        return x509.load_pem_x509_certificate(block)
    except ValueError as exc:
        raise TLSConfigError(f"{path} holds a {kind} that cannot be read") from exc


def _san_entries(hostnames: Sequence[str]) -> list[x509.GeneralName]:
    from cryptography import x509

    entries: list[x509.GeneralName] = []
    seen: set[str] = set()
    for raw in hostnames:
        name = raw.strip() if isinstance(raw, str) else ""
        if not name:
            raise TLSConfigError(f"not a host name or IP address: {raw!r}")
        entry: x509.GeneralName
        try:
            address = ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
        except ValueError:
            dns = _dns_name(name)
            key, entry = f"dns:{dns}", x509.DNSName(dns)
        else:
            key, entry = f"ip:{address}", x509.IPAddress(address)
        if key not in seen:
            seen.add(key)
            entries.append(entry)
    return entries


def _dns_name(name: str) -> str:
    """``name`` as the ASCII (IDNA) DNS name a certificate holds, or TLSConfigError."""
    try:
        labels = [
            label if label == "*" else label.encode("idna").decode("ascii")
            for label in name.rstrip(".").lower().split(".")
        ]
    except UnicodeError as exc:
        raise TLSConfigError(f"not a host name or IP address: {name!r}") from exc
    ascii_name = ".".join(labels)
    if len(ascii_name) > 253 or not _DNS_NAME.fullmatch(ascii_name):
        raise TLSConfigError(f"not a host name or IP address: {name!r}")
    return ascii_name
