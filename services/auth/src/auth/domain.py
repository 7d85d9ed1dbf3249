"""Users and the rules their credentials follow; no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from email_validator import EmailNotValidError, validate_email

PASSWORD_MIN_LENGTH = 4
PASSWORD_MAX_LENGTH = 20
PASSWORD_LENGTH_MESSAGE = (
    f"Password must be between {PASSWORD_MIN_LENGTH} and {PASSWORD_MAX_LENGTH} characters"
)


class InvalidCredential(ValueError):
    """A credential that breaks its rule; the message is what the user is told."""


@dataclass(frozen=True)
class User:
    """An account: its email (normalized) and the hash of its password."""

    id: UUID
    email: str
    password_hash: str


def normalize_email(text: object) -> str:
    """A syntactically valid address, trimmed and lower-cased, so one mailbox is one account."""
    if not isinstance(text, str):
        raise InvalidCredential("Email must be valid")
    try:
        address = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise InvalidCredential("Email must be valid") from None
    return address.normalized.lower()


def new_password(text: object) -> str:
    """A password to set: trimmed, between 4 and 20 characters."""
    if not isinstance(text, str):
        raise InvalidCredential(PASSWORD_LENGTH_MESSAGE)
    password = text.strip()
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise InvalidCredential(PASSWORD_LENGTH_MESSAGE)
    return password


def supplied_password(text: object) -> str:
    """A password to check: trimmed and not empty."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidCredential("You must supply a password")
    return text.strip()
