"""The local CA and the ticketing.dev certificate."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509 import DNSName, IPAddress
from cryptography.x509.verification import PolicyBuilder, Store

from ticketing_harness.certificates import CertificateFiles, ensure_certificates, trust_instructions


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> CertificateFiles:
    made, created = ensure_certificates(tmp_path_factory.mktemp("certs"))
    assert created
    return made


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


@pytest.mark.parametrize(
    "name",
    [DNSName("ticketing.dev"), DNSName("localhost"), IPAddress(ipaddress.ip_address("127.0.0.1"))],
    ids=str,
)
def test_the_certificate_is_valid_for_the_name_and_signed_by_the_ca(
    files: CertificateFiles, name: DNSName | IPAddress
) -> None:
    store = Store([_load(files.ca_certificate)])
    verifier = PolicyBuilder().store(store).build_server_verifier(name)
    chain = verifier.verify(_load(files.certificate), [])
    assert chain[-1] == _load(files.ca_certificate)


def test_the_certificate_is_not_valid_for_other_sites(files: CertificateFiles) -> None:
    store = Store([_load(files.ca_certificate)])
    verifier = PolicyBuilder().store(store).build_server_verifier(DNSName("example.com"))
    with pytest.raises(x509.verification.VerificationError):
        verifier.verify(_load(files.certificate), [])


def test_the_ca_cannot_vouch_for_other_names(files: CertificateFiles) -> None:
    constraints = _load(files.ca_certificate).extensions.get_extension_for_class(
        x509.NameConstraints
    )
    assert constraints.critical
    permitted = constraints.value.permitted_subtrees or []
    assert x509.DNSName("ticketing.dev") in permitted
    assert not any(isinstance(n, x509.DNSName) and n.value == "" for n in permitted)


def test_keys_are_readable_by_the_owner_only(files: CertificateFiles) -> None:
    assert files.key.stat().st_mode & 0o077 == 0
    assert files.ca_key.stat().st_mode & 0o077 == 0


def test_a_second_run_keeps_the_existing_ca_and_certificate(files: CertificateFiles) -> None:
    before = (files.ca_certificate.read_bytes(), files.certificate.read_bytes())
    _, created = ensure_certificates(files.directory)
    assert not created
    assert (files.ca_certificate.read_bytes(), files.certificate.read_bytes()) == before


def test_a_certificate_from_another_ca_is_replaced(tmp_path: Path) -> None:
    ours, _ = ensure_certificates(tmp_path / "ours")
    theirs, _ = ensure_certificates(tmp_path / "theirs")
    ours.certificate.write_bytes(theirs.certificate.read_bytes())
    _, created = ensure_certificates(ours.directory)
    assert created
    _load(ours.certificate).verify_directly_issued_by(_load(ours.ca_certificate))


def test_the_certificate_lives_no_longer_than_browsers_accept(files: CertificateFiles) -> None:
    leaf = _load(files.certificate)
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc <= datetime.timedelta(days=826)


def test_trust_instructions_cover_each_platform(files: CertificateFiles) -> None:
    text = trust_instructions(files)
    for needle in ("update-ca-certificates", "security add-trusted-cert", "certutil -d sql:"):
        assert needle in text
    assert str(files.ca_certificate) in text
