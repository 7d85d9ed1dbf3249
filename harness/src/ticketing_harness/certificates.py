"""A local certificate authority and a certificate for ticketing.dev, so browsers trust https."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DNS_NAMES = ("ticketing.dev", "*.ticketing.dev", "localhost")
IP_ADDRESSES = ("127.0.0.1", "::1")
CA_NAME = "ticketing local development CA"
_CA_DAYS = 3650
# Apple platforms refuse server certificates valid for longer than 825 days.
_LEAF_DAYS = 825
_RENEW_BEFORE = datetime.timedelta(days=30)


@dataclass(frozen=True)
class CertificateFiles:
    """The CA certificate users trust, and the server certificate and key nginx serves."""

    directory: Path

    @property
    def ca_certificate(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca-key.pem"

    @property
    def certificate(self) -> Path:
        return self.directory / "ticketing.dev.pem"

    @property
    def key(self) -> Path:
        return self.directory / "ticketing.dev-key.pem"


def ensure_certificates(directory: Path) -> tuple[CertificateFiles, bool]:
    """Create the CA and server certificate unless valid ones exist; True if anything was made."""
    files = CertificateFiles(directory)
    directory.mkdir(parents=True, exist_ok=True)
    created = False
    if not (files.ca_certificate.exists() and files.ca_key.exists()):
        _write_ca(files)
        created = True
    if created or not _leaf_is_current(files):
        _write_leaf(files)
        created = True
    return files, created


def trust_instructions(files: CertificateFiles) -> str:
    """How to make the system and the browsers trust the CA, per platform."""
    ca = files.ca_certificate
    return "\n".join(
        (
            f"Trust the CA {ca} once, then restart the browser:",
            "  Debian/Ubuntu:",
            f"    sudo cp {ca} /usr/local/share/ca-certificates/ticketing-dev-ca.crt"
            " && sudo update-ca-certificates",
            "  macOS:",
            "    sudo security add-trusted-cert -d -r trustRoot"
            f" -k /Library/Keychains/System.keychain {ca}",
            "  Chrome/Chromium on Linux (NSS; `apt-get install libnss3-tools`):",
            f'    certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n "{CA_NAME}" -i {ca}',
            "  Firefox (each profile; or Settings > Certificates > Import):",
            f'    certutil -d sql:<firefox-profile-dir> -A -t "C,," -n "{CA_NAME}" -i {ca}',
            "  Windows (administrator prompt):",
            f"    certutil -addstore -f ROOT {ca}",
            "The CA is limited to ticketing.dev, localhost and loopback addresses by name"
            " constraints, so trusting it cannot vouch for any other site.",
        )
    )


def _write_ca(files: CertificateFiles) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    now = _now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=_CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs_certificates=True), critical=True)
        .add_extension(_name_constraints(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(files.ca_key, key)
    files.ca_certificate.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def _key_usage(*, signs_certificates: bool) -> x509.KeyUsage:
    """Digital signatures, plus certificate and CRL signing for the CA."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


def _write_leaf(files: CertificateFiles) -> None:
    ca_key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{files.ca_key} is not the EC key this tool writes")
    ca = x509.load_pem_x509_certificate(files.ca_certificate.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DNS_NAMES[0])]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=_LEAF_DAYS))
        .add_extension(x509.SubjectAlternativeName(_general_names()), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signs_certificates=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(files.key, key)
    files.certificate.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def _leaf_is_current(files: CertificateFiles) -> bool:
    """The server certificate exists, is signed by this CA and is not about to expire."""
    if not (files.certificate.exists() and files.key.exists()):
        return False
    leaf = x509.load_pem_x509_certificate(files.certificate.read_bytes())
    ca = x509.load_pem_x509_certificate(files.ca_certificate.read_bytes())
    try:
        leaf.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return leaf.not_valid_after_utc - _now() > _RENEW_BEFORE


def _general_names() -> list[x509.GeneralName]:
    dns: list[x509.GeneralName] = [x509.DNSName(name) for name in DNS_NAMES]
    ips: list[x509.GeneralName] = [
        x509.IPAddress(ipaddress.ip_address(address)) for address in IP_ADDRESSES
    ]
    return dns + ips


def _name_constraints() -> x509.NameConstraints:
    permitted: list[x509.GeneralName] = [
        x509.DNSName("ticketing.dev"),
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_network("127.0.0.0/8")),
        x509.IPAddress(ipaddress.ip_network("::1/128")),
    ]
    return x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None)


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
