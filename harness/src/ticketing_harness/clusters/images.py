"""Image names and tags: one image per component, tagged from the git commit, never `latest`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ticketing_harness.clusters.commands import Command, Runner, command
from ticketing_harness.clusters.naming import LOCALSTRIPE, placeholder_image
from ticketing_harness.errors import HarnessError

DOCKERFILE = Path("services/Dockerfile")
LOCALSTRIPE_CONTEXT = Path("clusters/components/localstripe")
# Cloud nodes are x86-64 even when the laptop building the images is not.
CLOUD_PLATFORM = "linux/amd64"


def git_tag(repo: Path, runner: Runner) -> str:
    """The short commit id; with uncommitted changes, `-dirty-` and a digest of them."""
    head = runner.result(command("git", "-C", str(repo), "rev-parse", "--short=12", "HEAD"))
    if not head.ok:
        raise HarnessError(
            f"images are tagged from the git commit, but {repo} is not a git checkout with a"
            " commit: run from a clone of the repository"
        )
    changes = runner.run(command("git", "-C", str(repo), "status", "--porcelain")).stdout
    if not changes.strip():
        return head.stdout.strip()
    diff = runner.run(command("git", "-C", str(repo), "diff", "HEAD")).stdout
    digest = hashlib.sha256((changes + diff).encode()).hexdigest()[:8]
    return f"{head.stdout.strip()}-dirty-{digest}"


def repository(registry: str, component: str) -> str:
    return f"{registry}/{component}"


def kustomize_names(registry: str, components: tuple[str, ...]) -> list[dict[str, str]]:
    """The `images:` that point the manifests' placeholder names at the cluster's registry."""
    return [
        {"name": placeholder_image(component), "newName": repository(registry, component)}
        for component in components
    ]


@dataclass(frozen=True)
class Images:
    """The images of one deployment: in `registry`, tagged `tag`; built for `platform`."""

    tag: str
    registry: str
    components: tuple[str, ...]
    platform: str | None = None

    def __post_init__(self) -> None:
        if not self.tag or self.tag == "latest":
            raise HarnessError("images need a tag from the git commit, never `latest`")

    def repository(self, component: str) -> str:
        return repository(self.registry, component)

    def ref(self, component: str) -> str:
        return f"{self.repository(component)}:{self.tag}"

    @property
    def refs(self) -> list[str]:
        return [self.ref(component) for component in self.components]

    def kustomize_tags(self) -> list[dict[str, str]]:
        """The `images:` of a kustomization that gives the registry's images the commit tag."""
        return [
            {"name": self.repository(component), "newTag": self.tag}
            for component in self.components
        ]

    def build(self, repo: Path, component: str) -> Command:
        platform = ("--platform", self.platform) if self.platform else ()
        if component == LOCALSTRIPE:
            return command(
                "docker", "build", *platform, "--tag", self.ref(component),
                str(repo / LOCALSTRIPE_CONTEXT),
            )  # fmt: skip
        return command(
            "docker", "build", *platform, "--file", str(repo / DOCKERFILE),
            "--build-arg", f"SERVICE={component}", "--target", "runtime",
            "--tag", self.ref(component), str(repo),
        )  # fmt: skip

    def present(self, component: str) -> Command:
        return command("docker", "image", "inspect", "--format", "{{.Id}}", self.ref(component))

    def push(self, component: str) -> Command:
        return command("docker", "push", self.ref(component))
