"""HTTP routes of the auth service: sign up, sign in, sign out, who is signed in."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from auth import handlers
from auth.deps import AuthDep, ClientAddress
from auth.domain import (
    EMAIL,
    MAX_INPUT_LENGTH,
    NEW_PASSWORD,
    PASSWORD_LENGTH_MESSAGE,
    SUPPLIED_PASSWORD,
    new_password,
    normalize_email,
    supplied_password,
)
from ticketing_common.auth import AuthConfigDep, CurrentUser, clear_session, issue_session
from ticketing_common.openapi import ErrorBody
from ticketing_common.validation import MissingMessage, RequestModel

router = APIRouter(prefix="/api/users", tags=["users"])

_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
# Sign-in and sign-up are rationed: too many attempts get 429, a full hashing queue 503.
_RATIONED: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorBody, "description": "Too many attempts.", "headers": _RETRY_AFTER},
    503: {"model": ErrorBody, "description": "Too busy to check now.", "headers": _RETRY_AFTER},
}


def _schema(pattern: str, description: str) -> Any:
    """The JSON Schema of an input: exactly the rule the API applies (`auth.domain`)."""
    return Field(
        json_schema_extra={"pattern": f"^{pattern}$", "maxLength": MAX_INPUT_LENGTH},
        description=description,
    )


Email = Annotated[
    str,
    BeforeValidator(normalize_email),
    MissingMessage("Email must be valid"),
    _schema(EMAIL, "An email address as HTML forms accept it; trimmed and lower-cased."),
]


class SignUpIn(RequestModel):
    """A new account: a valid email and a password of 4 to 20 characters (trimmed)."""

    email: Email
    password: Annotated[
        str,
        BeforeValidator(new_password),
        MissingMessage(PASSWORD_LENGTH_MESSAGE),
        _schema(NEW_PASSWORD, "4 to 20 characters once spaces around them are trimmed."),
    ]


class SignInIn(RequestModel):
    """Credentials of an existing account."""

    email: Email
    password: Annotated[
        str,
        BeforeValidator(supplied_password),
        MissingMessage("You must supply a password"),
        _schema(SUPPLIED_PASSWORD, "Not only spaces."),
    ]


class UserOut(BaseModel):
    """A signed-in account."""

    id: UUID
    email: str


class SessionUserOut(BaseModel):
    """The signed-in user and when their session started and ends (seconds since the epoch)."""

    id: str
    email: str
    iat: int
    exp: int


class CurrentUserOut(BaseModel):
    """Who the session cookie says is signed in, or null."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    current_user: SessionUserOut | None


@router.post("/signup", status_code=201, operation_id="signUp", responses=_RATIONED)
async def sign_up(
    body: SignUpIn,
    response: Response,
    auth: AuthDep,
    config: AuthConfigDep,
    address: ClientAddress,
) -> UserOut:
    """Create an account and sign it in; an email is taken once, whatever its letter case."""
    async with auth.throttle.attempt(address=address, account=body.email):
        user = await handlers.sign_up(auth.db, auth.passwords, body.email, body.password)
    issue_session(response, user_id=str(user.id), email=user.email, config=config)
    return UserOut(id=user.id, email=user.email)


@router.post("/signin", operation_id="signIn", responses=_RATIONED)
async def sign_in(
    body: SignInIn,
    response: Response,
    auth: AuthDep,
    config: AuthConfigDep,
    address: ClientAddress,
) -> UserOut:
    """Sign in; an unknown email and a wrong password both answer "Invalid credentials"."""
    async with auth.throttle.attempt(address=address, account=body.email):
        user = await handlers.sign_in(auth.db, auth.passwords, body.email, body.password)
    issue_session(response, user_id=str(user.id), email=user.email, config=config)
    return UserOut(id=user.id, email=user.email)


@router.post("/signout", operation_id="signOut")
async def sign_out(
    response: Response, auth: AuthDep, config: AuthConfigDep, user: CurrentUser
) -> dict[str, str]:
    """Sign out: the session ends in every service and its cookie is cleared; answers `{}`."""
    if user is not None:
        await handlers.sign_out(auth.revoked_sessions, user)
    clear_session(response, config)
    return {}


@router.get("/currentuser", operation_id="currentUser")
async def current_user(user: CurrentUser) -> CurrentUserOut:
    """The signed-in user's id, email, iat and exp, or null without a valid session."""
    signed_in = None if user is None else SessionUserOut.model_validate(user.model_dump())
    return CurrentUserOut(current_user=signed_in)
