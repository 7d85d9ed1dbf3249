"""Ports of a starting stack: each service its own, never the gateway's."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from ticketing_harness.local.supervisor.listeners import listening_socket
from ticketing_harness.ports import free_port


def test_no_service_is_given_the_gateway_port_the_kernel_hands_out_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The gateway's port is chosen before nginx binds it, so the kernel may offer it again.
    gateway_port = free_port()
    offers = iter([gateway_port])
    bind = socket.create_server

    def kernel(address: tuple[str, int], **options: Any) -> socket.socket:
        host, port = address
        return bind((host, port or next(offers, 0)), **options)

    monkeypatch.setattr(socket, "create_server", kernel)
    with listening_socket(besides=gateway_port) as listener:
        assert listener.getsockname()[1] not in (gateway_port, 0)
