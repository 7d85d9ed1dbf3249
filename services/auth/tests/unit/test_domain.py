"""Credential rules: one normalized form per mailbox, password lengths after trimming."""

from __future__ import annotations

import pytest

from auth.domain import InvalidCredential, new_password, normalize_email, supplied_password


@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        ("test@test.com", "test@test.com"),
        ("  A@X.io ", "a@x.io"),
        ("Mixed.Case@Example.COM", "mixed.case@example.com"),
    ],
)
def test_email_is_trimmed_and_lower_cased(given: str, normalized: str) -> None:
    assert normalize_email(given) == normalized


@pytest.mark.parametrize(
    "given",
    [
        "",
        "plain",
        "a@b",
        "a@",
        "@x.io",
        "John <a@x.io>",
        "a\x00@x.io",
        "a@-x.io",
        "\u00a0a@x.io",
        "a@x.io" + " " * 1024,
        42,
        None,
    ],
)
def test_malformed_email_is_refused(given: object) -> None:
    with pytest.raises(InvalidCredential, match=r"^Email must be valid$"):
        normalize_email(given)


@pytest.mark.parametrize("given", ["abcd", "  abcd  ", "a" * 20])
def test_new_password_of_4_to_20_characters_is_accepted_trimmed(given: str) -> None:
    assert new_password(given) == given.strip()


@pytest.mark.parametrize(
    "given", ["", "abc", "  abc  ", "a" * 21, " a b ", "abcd" + " " * 1024, 1234, None]
)
def test_new_password_outside_4_to_20_characters_is_refused(given: object) -> None:
    with pytest.raises(InvalidCredential, match=r"^Password must be between 4 and 20 characters$"):
        new_password(given)


@pytest.mark.parametrize("given", ["", "   ", None, 5])
def test_sign_in_needs_a_password(given: object) -> None:
    with pytest.raises(InvalidCredential, match=r"^You must supply a password$"):
        supplied_password(given)


@pytest.mark.parametrize(
    ("given", "kept"), [("\u00a0abcd", "\u00a0abcd"), ("\tab cd\n", "ab cd"), ("a  b", "a  b")]
)
def test_only_ascii_spaces_are_trimmed_from_a_password(given: str, kept: str) -> None:
    assert new_password(given) == kept
    assert supplied_password(given) == kept
