"""Ports of a starting stack: each service its own, never the gateway's."""

from __future__ import annotations

import pytest

from ticketing_harness.components import SERVICE_NAMES
from ticketing_harness.local import startup


def test_no_service_is_given_the_gateway_port_the_kernel_hands_out_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The gateway's port is chosen before anything binds it, so the kernel may offer it again.
    monkeypatch.setattr(startup, "free_ports", lambda count: [8080, *range(9000, 9000 + count)])
    ports = startup.service_ports(8080)
    assert sorted(ports) == sorted(SERVICE_NAMES)
    assert 8080 not in ports.values()
    assert len(set(ports.values())) == len(SERVICE_NAMES)
