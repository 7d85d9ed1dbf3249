"""HTTP routes of the auth service: sign up, sign in, sign out, who is signed in."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from auth import handlers
from auth.deps import AuthDep
from auth.domain import (
    PASSWORD_LENGTH_MESSAGE,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    new_password,
    normalize_email,
    supplied_password,
)
from ticketing_common.auth import (
    AuthConfigDep,
    CurrentUser,
    UserClaims,
    clear_session,
    issue_session,
)
from ticketing_common.validation import MissingMessage, RequestModel

router = APIRouter(prefix="/api/users", tags=["users"])


Email = Annotated[
    str,
    BeforeValidator(normalize_email),
    MissingMessage("Email must be valid"),
    Field(json_schema_extra={"format": "email"}, description="Trimmed and lower-cased."),
]


class SignUpIn(RequestModel):
    """A new account: a valid email and a password of 4 to 20 characters (trimmed)."""

    email: Email
    password: Annotated[
        str,
        BeforeValidator(new_password),
        MissingMessage(PASSWORD_LENGTH_MESSAGE),
        Field(
            json_schema_extra={"minLength": PASSWORD_MIN_LENGTH, "maxLength": PASSWORD_MAX_LENGTH},
            description="Leading and trailing spaces are trimmed.",
        ),
    ]


class SignInIn(RequestModel):
    """Credentials of an existing account."""

    email: Email
    password: Annotated[
        str,
        BeforeValidator(supplied_password),
        MissingMessage("You must supply a password"),
        Field(json_schema_extra={"minLength": 1}),
    ]


class UserOut(BaseModel):
    """A signed-in account."""

    id: UUID
    email: str


class CurrentUserOut(BaseModel):
    """Who the session cookie says is signed in, or null."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    current_user: UserClaims | None


@router.post("/signup", status_code=201, operation_id="signUp")
async def sign_up(
    body: SignUpIn,
    response: Response,
    auth: AuthDep,
    config: AuthConfigDep,
) -> UserOut:
    """Create an account and sign it in; an email is taken once, whatever its letter case."""
    user = await handlers.sign_up(auth.db, auth.passwords, body.email, body.password)
    issue_session(response, user_id=str(user.id), email=user.email, config=config)
    return UserOut(id=user.id, email=user.email)


@router.post("/signin", operation_id="signIn")
async def sign_in(
    body: SignInIn,
    response: Response,
    auth: AuthDep,
    config: AuthConfigDep,
) -> UserOut:
    """Sign in; an unknown email and a wrong password both answer "Invalid credentials"."""
    user = await handlers.sign_in(auth.db, auth.passwords, body.email, body.password)
    issue_session(response, user_id=str(user.id), email=user.email, config=config)
    return UserOut(id=user.id, email=user.email)


@router.post("/signout", operation_id="signOut")
async def sign_out(response: Response, config: AuthConfigDep) -> dict[str, str]:
    """Sign out: the session cookie is cleared; the answer is `{}`."""
    clear_session(response, config)
    return {}


@router.get("/currentuser", operation_id="currentUser")
async def current_user(user: CurrentUser) -> CurrentUserOut:
    """The signed-in user's id, email, iat and exp, or null without a valid session."""
    return CurrentUserOut(current_user=user)
