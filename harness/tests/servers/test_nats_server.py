"""NATS JetStream server: serves JetStream, keeps messages across a restart."""

from __future__ import annotations

import socket
from pathlib import Path

import nats
import pytest

from ticketing_harness.servers import NatsServer


async def _publish(url: str, data: bytes) -> int:
    connection = await nats.connect(url)
    try:
        jetstream = connection.jetstream()
        await jetstream.add_stream(name="ORDERS", subjects=["orders.>"])
        return (await jetstream.publish("orders.created", data)).seq
    finally:
        await connection.close()


async def _read(url: str, sequence: int) -> bytes | None:
    connection = await nats.connect(url)
    try:
        return (await connection.jetstream().get_msg("ORDERS", sequence)).data
    finally:
        await connection.close()


@pytest.mark.parametrize("credentials", ["", ', "user": "ticketing", "pass": "guess"'])
def test_a_client_without_the_password_is_refused(
    nats_server: NatsServer, credentials: str
) -> None:
    with socket.create_connection(("127.0.0.1", nats_server.port), timeout=2) as sock:
        stream = sock.makefile("rb")
        assert b'"auth_required":true' in stream.readline()
        sock.sendall(f'CONNECT {{"verbose": false{credentials}}}\r\nPING\r\n'.encode())
        assert stream.readline().startswith(b"-ERR 'Authorization Violation'")


async def test_jetstream_stores_a_published_message(nats_url: str) -> None:
    sequence = await _publish(nats_url, b"order 1")

    assert await _read(nats_url, sequence) == b"order 1"


async def test_delete_streams_leaves_jetstream_empty(
    nats_server: NatsServer, nats_url: str
) -> None:
    await _publish(nats_url, b"order 1")

    await nats_server.delete_streams()

    connection = await nats.connect(nats_url)
    try:
        assert await connection.jetstream().streams_info() == []
    finally:
        await connection.close()


async def test_restart_keeps_messages_on_the_same_port(private_nats_server: NatsServer) -> None:
    url = private_nats_server.url
    sequence = await _publish(url, b"order 1")

    private_nats_server.restart()

    assert private_nats_server.url == url
    assert await _read(url, sequence) == b"order 1"


async def test_a_killed_server_syncing_always_keeps_what_it_acknowledged(tmp_path: Path) -> None:
    with NatsServer(tmp_path / "nats", sync_always=True) as server:
        sequence = await _publish(server.url, b"order 1")
        server.kill()
        server.start()
        assert await _read(server.url, sequence) == b"order 1"
