"""What the auth routes depend on: the running service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from auth.bootstrap import Auth
from ticketing_common.service import service_dependency

AuthDep = Annotated[Auth, Depends(service_dependency(Auth))]
