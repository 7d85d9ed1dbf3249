"""Sessions: a signed JWT in an HttpOnly cookie; anything but a valid token means signed out."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookies import Morsel, SimpleCookie

import httpx
import jwt
import pytest
from fastapi import APIRouter, Response

from ticketing_common.auth import (
    SESSION_COOKIE,
    AuthConfig,
    AuthConfigDep,
    CurrentUser,
    RequiredUser,
    UserClaims,
    clear_session,
    decode_session,
    issue_session,
    new_claims,
    sign_session,
)
from ticketing_common.config import ServiceSettings
from ticketing_common.http import create_app

from .conftest import HttpClientFactory

USER_ID = "user-1"
EMAIL = "buyer@example.com"

router = APIRouter()


@router.post("/signin")
async def signin(response: Response, config: AuthConfigDep) -> UserClaims:
    return issue_session(response, user_id=USER_ID, email=EMAIL, config=config)


@router.post("/signout")
async def signout(response: Response, config: AuthConfigDep) -> dict[str, str]:
    clear_session(response, config)
    return {}


@router.get("/currentuser")
async def currentuser(user: CurrentUser) -> dict[str, UserClaims | None]:
    return {"currentUser": user}


@router.get("/private")
async def private(user: RequiredUser) -> dict[str, str]:
    return {"id": user.id}


class SignedOutSessions:
    """The revocation list, as a set the test fills."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def is_revoked(self, session_id: str) -> bool:
        return session_id in self.ids


@dataclass
class RunningService:
    """What the app's lifespan would hold: here, only the list of signed-out sessions."""

    revoked_sessions: SignedOutSessions = field(default_factory=SignedOutSessions)


async def open_client(
    settings: ServiceSettings,
    http_client: HttpClientFactory,
    service: object | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(title="auth", settings=settings, routers=[router])
    app.state.service = RunningService() if service is None else service
    async with http_client(app) as c:
        yield c


@pytest.fixture
async def client(
    service_settings: ServiceSettings, http_client: HttpClientFactory
) -> AsyncIterator[httpx.AsyncClient]:
    async for c in open_client(service_settings, http_client):
        yield c


@pytest.fixture
def config(service_settings: ServiceSettings) -> AuthConfig:
    return AuthConfig.from_settings(service_settings)


def session_morsel(response: httpx.Response) -> Morsel[str]:
    cookies: SimpleCookie = SimpleCookie(response.headers["set-cookie"])
    return cookies["session"]


def claims(*, iat_offset: int = 0, exp_offset: int = 3600) -> UserClaims:
    now = int(time.time())
    return UserClaims(
        id=USER_ID, email=EMAIL, iat=now + iat_offset, exp=now + exp_offset, jti="session-1"
    )


def expired(config: AuthConfig) -> str:
    return sign_session(claims(iat_offset=-7200, exp_offset=-60), config)


def tampered(config: AuthConfig) -> str:
    header, _, signature = sign_session(claims(), config).split(".")
    forged = claims().model_copy(update={"id": "someone-else"}).model_dump_json()
    payload = base64.urlsafe_b64encode(forged.encode()).rstrip(b"=").decode()
    return f"{header}.{payload}.{signature}"


def signed_with_another_key(config: AuthConfig) -> str:
    other = AuthConfig(
        jwt_key="another-key-of-more-than-32-characters!", ttl_seconds=60, secure_cookie=True
    )
    return sign_session(claims(), other)


def unsigned_alg_none(config: AuthConfig) -> str:
    return jwt.encode(claims().model_dump(), "", algorithm="none")


def without_email(config: AuthConfig) -> str:
    payload = claims().model_dump(exclude={"email"})
    return jwt.encode(payload, config.jwt_key, algorithm="HS256")


def without_session_id(config: AuthConfig) -> str:
    payload = claims().model_dump(exclude={"jti"})
    return jwt.encode(payload, config.jwt_key, algorithm="HS256")


def id_of_wrong_type(config: AuthConfig) -> str:
    payload = {**claims().model_dump(), "id": 42}
    return jwt.encode(payload, config.jwt_key, algorithm="HS256")


def not_a_jwt(config: AuthConfig) -> str:
    return "not-a-jwt"


async def test_signin_sets_an_httponly_lax_secure_cookie(
    client: httpx.AsyncClient, config: AuthConfig
) -> None:
    response = await client.post("/signin")

    morsel = session_morsel(response)
    assert morsel.value
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "lax"
    assert morsel["secure"] is True
    assert morsel["path"] == "/"
    assert morsel["max-age"] == str(config.ttl_seconds)


async def test_plain_http_deployment_gets_a_cookie_without_secure(
    service_settings: ServiceSettings, http_client: HttpClientFactory
) -> None:
    plain = service_settings.model_copy(update={"plain_http": True})
    async for client in open_client(plain, http_client):
        response = await client.post("/signin")
    morsel = session_morsel(response)
    assert (morsel["secure"], morsel["httponly"]) == ("", True)


async def test_session_token_lasts_the_configured_lifetime(
    client: httpx.AsyncClient, config: AuthConfig
) -> None:
    issued = UserClaims.model_validate((await client.post("/signin")).json())
    assert issued.exp - issued.iat == config.ttl_seconds
    assert abs(issued.iat - time.time()) < 60


async def test_signed_in_user_is_recognised_from_the_cookie(client: httpx.AsyncClient) -> None:
    await client.post("/signin")

    current = (await client.get("/currentuser")).json()["currentUser"]
    private = await client.get("/private")

    assert (current["id"], current["email"]) == (USER_ID, EMAIL)
    assert (private.status_code, private.json()) == (200, {"id": USER_ID})


async def test_without_a_cookie_the_user_is_signed_out(client: httpx.AsyncClient) -> None:
    current = await client.get("/currentuser")
    private = await client.get("/private")

    assert (current.status_code, current.json()) == (200, {"currentUser": None})
    assert private.status_code == 401
    assert private.json() == {"errors": [{"message": "Not authorized"}]}


@pytest.mark.parametrize(
    "make_token",
    [
        expired,
        tampered,
        signed_with_another_key,
        unsigned_alg_none,
        without_email,
        without_session_id,
        id_of_wrong_type,
        not_a_jwt,
    ],
)
async def test_invalid_token_means_signed_out(
    client: httpx.AsyncClient, config: AuthConfig, make_token: Callable[[AuthConfig], str]
) -> None:
    cookie = {"cookie": f"session={make_token(config)}"}

    current = await client.get("/currentuser", headers=cookie)
    private = await client.get("/private", headers=cookie)

    assert current.json() == {"currentUser": None}
    assert (private.status_code, private.json()) == (
        401,
        {"errors": [{"message": "Not authorized"}]},
    )


async def test_signout_expires_the_cookie_with_the_same_attributes(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/signin")

    response = await client.post("/signout")

    morsel = session_morsel(response)
    assert morsel.value == ""
    assert morsel["max-age"] == "0"
    assert parsedate_to_datetime(morsel["expires"]) <= datetime.now(UTC)
    assert (morsel["path"], morsel["httponly"], morsel["secure"]) == ("/", True, True)
    assert morsel["samesite"].lower() == "lax"
    assert (await client.get("/currentuser")).json() == {"currentUser": None}


async def test_a_session_signed_elsewhere_signs_the_user_in_without_the_auth_service(
    client: httpx.AsyncClient, config: AuthConfig
) -> None:
    session = new_claims(user_id="seller-9", email="seller@example.com", config=config)
    client.cookies.set(SESSION_COOKIE, sign_session(session, config))

    response = await client.get("/private")

    assert (response.status_code, response.json()) == (200, {"id": "seller-9"})


def test_a_short_dev_key_signs_and_verifies_without_warnings() -> None:
    dev = AuthConfig(jwt_key="asdf", ttl_seconds=60, secure_cookie=False)
    session = claims()
    assert decode_session(sign_session(session, dev), dev) == session


async def test_a_signed_out_session_is_refused_though_its_token_is_valid(
    service_settings: ServiceSettings, http_client: HttpClientFactory, config: AuthConfig
) -> None:
    service = RunningService()
    token = sign_session(claims(), config)
    service.revoked_sessions.ids.add("session-1")
    async for client in open_client(service_settings, http_client, service):
        cookie = {"cookie": f"session={token}"}
        current = await client.get("/currentuser", headers=cookie)
        private = await client.get("/private", headers=cookie)
    assert current.json() == {"currentUser": None}
    assert private.status_code == 401


async def test_a_service_that_keeps_no_revocation_list_accepts_no_session(
    service_settings: ServiceSettings, http_client: HttpClientFactory, config: AuthConfig
) -> None:
    async for client in open_client(service_settings, http_client, service=object()):
        cookie = {"cookie": f"session={sign_session(claims(), config)}"}
        private = await client.get("/private", headers=cookie)
    assert private.status_code == 500
