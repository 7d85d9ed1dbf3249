"""Where contracts come from: the repository's own, a directory, or the tree of a git ref."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ticketing_common.contracts import CATALOG_FILE, DEFAULT_ROOT
from ticketing_harness.errors import HarnessError


def default_root() -> Path:
    """The contracts this installation ships: `contracts/` of the repository."""
    return DEFAULT_ROOT.resolve()


def contracts_root(path: Path | None) -> Path:
    """`path` (default: the shipped contracts), checked to hold a catalog."""
    root = (path or default_root()).absolute()
    if not (root / CATALOG_FILE).is_file():
        raise HarnessError(f"{root} holds no {CATALOG_FILE}; pass the contracts directory")
    return root


@contextmanager
def contracts_at(spec: str, repository_root: Path) -> Iterator[Path]:
    """The contracts in directory `spec`, or those of git ref `spec` extracted to a temp dir.

    Args:
        spec: a directory holding catalog.yaml, or a git ref (commit, branch, tag).
        repository_root: the contracts of this installation, whose repository has the refs.
    """
    directory = Path(spec)
    if directory.is_dir():
        yield contracts_root(directory)
        return
    repo = _git(["rev-parse", "--show-toplevel"], repository_root).decode().strip()
    inside = repository_root.resolve().relative_to(Path(repo).resolve()).as_posix()
    try:
        archive = _git(["archive", "--format=tar", spec, inside], Path(repo))
    except HarnessError:
        raise HarnessError(
            f"{spec!r} is neither a directory nor a git ref with {inside}/ in it"
        ) from None
    with tempfile.TemporaryDirectory(prefix="ticketing-contracts-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        yield contracts_root(Path(tmp) / inside)


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise HarnessError("git is not installed; pass directories instead of refs") from None
    if result.returncode != 0:
        raise HarnessError(f"git {' '.join(args)}: {result.stderr.decode().strip()}")
    return result.stdout
