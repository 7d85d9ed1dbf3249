"""The signed-in user: an HS256 JWT in the `session` cookie, and FastAPI dependencies for it.

Routes take the user, or only their id, as a parameter:

    @router.post("/api/tickets", status_code=201)
    async def create_ticket(body: TicketIn, seller: UserId) -> TicketOut: ...

`UserId` and `RequiredUser` answer 401 without a valid session; `CurrentUser` is `None` instead.
Sign-in routes take `config: AuthConfigDep` and call `issue_session(response, ..., config=config)`.

A valid session is signed, unexpired and not signed out: the running service object
(`app.state.service`) offers the revocation list as `revoked_sessions`
(`ticketing_common.revocations`); an app whose service offers none refuses every session.
"""

from __future__ import annotations

import time
import uuid
import warnings
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Protocol, runtime_checkable
from uuid import UUID

import jwt
from fastapi import Depends, Request, Response, Security
from fastapi.security import APIKeyCookie
from pydantic import BaseModel, ConfigDict, ValidationError

from ticketing_common.config import MIN_PRODUCTION_KEY_LENGTH
from ticketing_common.contracts import is_uuid
from ticketing_common.errors import NotAuthorized

if TYPE_CHECKING:
    from ticketing_common.config import ServiceSettings

SESSION_COOKIE = "session"
ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ["id", "email", "iat", "exp", "jti"]


class UserClaims(BaseModel):
    """What a session token says about its user; `jti` names the session, for sign-out."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    email: str
    iat: int
    exp: int
    jti: str


class RevocationList(Protocol):
    """The sessions signed out before they expired."""

    def is_revoked(self, session_id: str) -> bool: ...


@runtime_checkable
class ChecksSessions(Protocol):
    """A running service that knows which sessions were signed out."""

    @property
    def revoked_sessions(self) -> RevocationList: ...


@dataclass(frozen=True)
class AuthConfig:
    """How sessions are signed and how their cookie is set."""

    jwt_key: str = field(repr=False)
    ttl_seconds: int
    secure_cookie: bool

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> AuthConfig:
        """Sign with JWT_KEY for SESSION_TTL_SECONDS; the cookie is Secure unless PLAIN_HTTP."""
        return cls(
            jwt_key=settings.jwt_key.get_secret_value(),
            ttl_seconds=settings.session_ttl_seconds,
            secure_cookie=not settings.plain_http,
        )


def sign_session(claims: UserClaims, config: AuthConfig) -> str:
    """The session token carrying `claims`, signed with the service key."""
    with _short_key_warning_silenced(config):
        return jwt.encode(claims.model_dump(), config.jwt_key, algorithm=ALGORITHM)


def decode_session(token: str | None, config: AuthConfig) -> UserClaims | None:
    """The token's claims, or None when it is absent, expired, tampered or incomplete."""
    if not token:
        return None
    try:
        with _short_key_warning_silenced(config):
            payload = jwt.decode(
                token, config.jwt_key, algorithms=[ALGORITHM], options={"require": _REQUIRED_CLAIMS}
            )
        return UserClaims.model_validate(payload)
    except (jwt.PyJWTError, ValidationError):
        return None


def new_claims(*, user_id: str, email: str, config: AuthConfig) -> UserClaims:
    """Claims for a session starting now and lasting the configured lifetime."""
    now = int(time.time())
    return UserClaims(
        id=user_id, email=email, iat=now, exp=now + config.ttl_seconds, jti=str(uuid.uuid4())
    )


def issue_session(
    response: Response, *, user_id: str, email: str, config: AuthConfig
) -> UserClaims:
    """Sign the user in: set an HttpOnly, SameSite=Lax session cookie (Secure unless plain HTTP)."""
    claims = new_claims(user_id=user_id, email=email, config=config)
    response.set_cookie(
        SESSION_COOKIE,
        sign_session(claims, config),
        max_age=config.ttl_seconds,
        path="/",
        secure=config.secure_cookie,
        httponly=True,
        samesite="lax",
    )
    return claims


def clear_session(response: Response, config: AuthConfig) -> None:
    """Sign the user out: expire the cookie with the attributes it was set with."""
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=config.secure_cookie, httponly=True, samesite="lax"
    )


async def auth_config(request: Request) -> AuthConfig:
    """The app's session settings, put on `app.state.auth_config` by `create_app`."""
    config: AuthConfig = request.app.state.auth_config
    return config


async def current_user(request: Request, config: AuthConfigDep) -> UserClaims | None:
    """The signed-in user, or None: no cookie, or one not valid, expired or signed out."""
    claims = decode_session(request.cookies.get(SESSION_COOKIE), config)
    if claims is None or revoked_sessions(request).is_revoked(claims.jti):
        return None
    return claims


def revoked_sessions(request: Request) -> RevocationList:
    """The running service's revocation list; a service without one cannot check sessions."""
    service = getattr(request.app.state, "service", None)
    if not isinstance(service, ChecksSessions):
        raise RuntimeError(f"{type(service).__name__} keeps no list of signed-out sessions")
    return service.revoked_sessions


# Documents, in the OpenAPI of every route that needs a user, the cookie it needs.
_session_scheme = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="session",
    description="The session cookie sign-up and sign-in set (HttpOnly).",
    auto_error=False,
)


async def require_user(
    user: CurrentUser, _: Annotated[str | None, Security(_session_scheme)]
) -> UserClaims:
    """The signed-in user; 401 when there is no valid session."""
    if user is None:
        raise NotAuthorized()
    return user


async def require_user_id(user: RequiredUser) -> UUID:
    """The signed-in user's id; a session whose id is not a UUID is not one of ours (401)."""
    if not is_uuid(user.id):
        raise NotAuthorized()
    return UUID(user.id)


AuthConfigDep = Annotated[AuthConfig, Depends(auth_config)]
CurrentUser = Annotated[UserClaims | None, Depends(current_user)]
RequiredUser = Annotated[UserClaims, Depends(require_user)]
UserId = Annotated[UUID, Depends(require_user_id)]


def _short_key_warning_silenced(config: AuthConfig) -> AbstractContextManager[object]:
    """Silence PyJWT's short-key warning for keys the settings accepted (dev and test only)."""
    if len(config.jwt_key.encode()) >= MIN_PRODUCTION_KEY_LENGTH:
        return nullcontext()
    return warnings.catch_warnings(action="ignore", category=jwt.InsecureKeyLengthWarning)
