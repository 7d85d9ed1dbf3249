"""Users and the rules their credentials follow; no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from ticketing_common.validation import SPACE, trimmed_match, trimmed_pattern

PASSWORD_MIN_LENGTH = 4
PASSWORD_MAX_LENGTH = 20
PASSWORD_LENGTH_MESSAGE = (
    f"Password must be between {PASSWORD_MIN_LENGTH} and {PASSWORD_MAX_LENGTH} characters"
)
# Longest email or password accepted, spaces around it included.
MAX_INPUT_LENGTH = 1024

_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
# The rules as patterns the OpenAPI states (see ticketing_common.validation). An address is
# one HTML's <input type="email"> accepts, with a dot in its domain.
EMAIL = rf"{SPACE}*[a-zA-Z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+{SPACE}*"
NEW_PASSWORD = trimmed_pattern(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH)
SUPPLIED_PASSWORD = trimmed_pattern(1, None)


class InvalidCredential(ValueError):
    """A credential that breaks its rule; the message is what the user is told."""


@dataclass(frozen=True)
class User:
    """An account: its email (normalized) and the hash of its password."""

    id: UUID
    email: str
    password_hash: str


def normalize_email(text: object) -> str:
    """A valid address, trimmed and lower-cased, so one mailbox is one account."""
    return _matching(text, EMAIL, "Email must be valid").lower()


def new_password(text: object) -> str:
    """A password to set: trimmed, between 4 and 20 characters."""
    return _matching(text, NEW_PASSWORD, PASSWORD_LENGTH_MESSAGE)


def supplied_password(text: object) -> str:
    """A password to check: trimmed and not empty."""
    return _matching(text, SUPPLIED_PASSWORD, "You must supply a password")


def _matching(text: object, pattern: str, message: str) -> str:
    """The text, trimmed, if it matches the rule; otherwise `message` is what the user is told."""
    matched = trimmed_match(text, pattern, max_length=MAX_INPUT_LENGTH)
    if matched is None:
        raise InvalidCredential(message)
    return matched
