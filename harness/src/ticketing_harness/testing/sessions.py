"""For service tests: a signed-in user without the auth service, signed by the real signer."""

from __future__ import annotations

import uuid
from uuid import UUID

from ticketing_common.auth import SESSION_COOKIE, AuthConfig, new_claims, sign_session


def session_headers(
    config: AuthConfig, user_id: UUID | None = None, email: str = "test@test.com"
) -> dict[str, str]:
    """Request headers carrying a real session cookie of `user_id` (a new user if None)."""
    claims = new_claims(user_id=str(user_id or uuid.uuid4()), email=email, config=config)
    return {"Cookie": f"{SESSION_COOKIE}={sign_session(claims, config)}"}
