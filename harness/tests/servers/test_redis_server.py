"""Redis server: answers over a raw socket, keeps keys across a restart."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from ticketing_harness.servers import RedisServer, ServerError


def test_redis_url_points_at_an_empty_server(redis_server: RedisServer, redis_url: str) -> None:
    assert redis_url == redis_server.url
    assert redis_server.execute("PING") == "PONG"
    assert redis_server.execute("DBSIZE") == 0


def test_a_client_without_the_password_is_refused(redis_server: RedisServer) -> None:
    with socket.create_connection(("127.0.0.1", redis_server.port), timeout=2) as sock:
        sock.sendall(b"*1\r\n$4\r\nPING\r\n")
        assert sock.recv(100).startswith(b"-NOAUTH")
    assert redis_server.url.startswith(f"redis://:{redis_server.password}@")
    assert "requirepass" not in " ".join(redis_server.argv(Path("redis-server")))


def test_error_reply_raises(redis_server: RedisServer) -> None:
    with pytest.raises(ServerError, match="NOSUCHCOMMAND"):
        redis_server.execute("NOSUCHCOMMAND")


def test_restart_keeps_keys_on_the_same_port(private_redis_server: RedisServer) -> None:
    url = private_redis_server.url
    assert private_redis_server.execute("SET", "job", "expire order 1") == "OK"

    private_redis_server.restart()

    assert private_redis_server.url == url
    assert private_redis_server.execute("GET", "job") == "expire order 1"
