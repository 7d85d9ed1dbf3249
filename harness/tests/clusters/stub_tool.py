"""A stand-in for kind, docker, kubectl, gcloud, gke-gcloud-auth-plugin, eksctl, aws and skaffold.

Run as `python stub_tool.py NAME ARGS...`. It appends each call to $STUB_LOG, keeps what it
created in $STUB_STATE (JSON), answers like the real program would, and fails on purpose when
the state says so: {"fail": {"<program> <word>...": "message"}} fails the next call whose
arguments hold those words, once; {"docker_down": true} makes the engine unreachable;
{"rootless": true} makes it rootless Docker, {"podman": true} rootless Podman behind `docker`.
Like gcloud, `gcloud container clusters create-auto` and `get-credentials` write credentials
into $KUBECONFIG, else into ~/.kube/config, and make them the current context.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

VERSIONS = {
    "kind": "kind v0.32.0 go1.24.2 linux/amd64",
    "gcloud": "Google Cloud SDK 528.0.0\nbq 2.1.17\ncore 2025.06.20",
    "gke-gcloud-auth-plugin": "Kubernetes v1.30.0+3c5d2c2f8b",
    "eksctl": "0.230.0",
    "aws": "aws-cli/2.27.0 Python/3.13.3 Linux/6.1 exe/x86_64",
    "skaffold": "v2.24.0",
}
REGISTRY = "kind-registry"


def main() -> int:
    program, args = sys.argv[1], sys.argv[2:]
    state_path = Path(os.environ["STUB_STATE"])
    state: dict[str, Any] = json.loads(state_path.read_text()) if state_path.exists() else {}
    with open(os.environ["STUB_LOG"], "a") as log:
        log.write(json.dumps({"program": program, "args": args, "env": _env()}) + "\n")
    failures = state.setdefault("fail", {})
    for pattern, message in list(failures.items()):
        first, *words = pattern.split()
        if first == program and all(word in args for word in words):
            del failures[pattern]
            _save(state_path, state)
            print(message, file=sys.stderr)
            return 1
    code = answer(program, args, state)
    _save(state_path, state)
    return code


def answer(program: str, args: list[str], state: dict[str, Any]) -> int:
    if program == "kubectl":
        return kubectl(args)
    if program == "docker":
        return docker(args, state)
    if args[:1] in (["version"], ["--version"]):
        print(VERSIONS[program])
        return 0
    clusters: list[str] = state.setdefault("clusters", [])
    if program == "kind":
        return kind(args, clusters)
    if program == "gcloud":
        return gcloud(args, clusters, state)
    if program == "eksctl":
        return eksctl(args, clusters)
    if program == "aws":
        return aws(args, state)
    if program == "skaffold":
        return 0
    return 2


def kind(args: list[str], clusters: list[str]) -> int:
    name = _option(args, "--name") or "kind"
    if args[:2] == ["get", "clusters"]:
        print("\n".join(clusters) if clusters else "No kind clusters found.", file=sys.stdout)
        return 0
    if args[:2] == ["create", "cluster"]:
        if name in clusters:
            print(
                "ERROR: failed to create cluster: node(s) already exist for a cluster"
                f' with the name "{name}"',
                file=sys.stderr,
            )
            return 1
        clusters.append(name)
        _kubeconfig(Path(_option(args, "--kubeconfig") or ""), f"kind-{name}")
        return 0
    if args[:2] == ["export", "kubeconfig"]:
        _kubeconfig(Path(_option(args, "--kubeconfig") or ""), f"kind-{name}")
        return 0
    if args[:2] == ["delete", "cluster"]:
        if name in clusters:
            clusters.remove(name)
        return 0
    if args[:2] == ["load", "docker-image"]:
        return 0
    if args[:2] == ["get", "nodes"]:
        print(f"{name}-control-plane" if name in clusters else "")
        return 0
    return 2


def gcloud(args: list[str], clusters: list[str], state: dict[str, Any]) -> int:
    region, project = _option(args, "--region"), _option(args, "--project")
    if args[:2] == ["container", "clusters"]:
        verb, name = args[2], args[3]
        if verb == "describe":
            if name not in clusters:
                print(
                    "ERROR: (gcloud.container.clusters.describe) ResponseError: code=404,"
                    f" message=Not found: {name}.",
                    file=sys.stderr,
                )
                return 1
            asked = _option(args, "--format") or ""
            print("default" if "serviceAccount" in asked else "ticketing")
            return 0
        if verb in ("create-auto", "get-credentials"):
            if verb == "create-auto":
                clusters.append(name)
            _kubeconfig(_gcloud_kubeconfig(), f"gke_{project}_{region}_{name}")
            return 0
        if verb == "delete":
            clusters.remove(name)
            return 0
    if args[:3] == ["artifacts", "repositories", "describe"]:
        return 0 if state.get("repository") else 1
    if args[:3] == ["artifacts", "repositories", "create"]:
        state["repository"] = True
        return 0
    if args[:2] == ["auth", "configure-docker"]:
        return 0
    if args[:3] == ["artifacts", "repositories", "add-iam-policy-binding"]:
        return 0 if state.get("repository") else 1
    if args[:3] == ["config", "get-value", "account"]:
        print("developer@example.com")
        return 0
    if args[:2] == ["projects", "describe"]:
        print("123456789")
        return 0
    return 2


def _gcloud_kubeconfig() -> Path:
    chosen = os.environ.get("KUBECONFIG")
    return Path(chosen) if chosen else Path(os.environ["HOME"]) / ".kube" / "config"


def eksctl(args: list[str], clusters: list[str]) -> int:
    if args[:2] == ["get", "cluster"]:
        return 0 if _option(args, "--name") in clusters else 1
    if args[:2] == ["create", "cluster"]:
        config = Path(_option(args, "-f") or "").read_text()
        name = config.split("name: ", 1)[1].split()[0]
        region = config.split("region: ", 1)[1].split()[0]
        clusters.append(name)
        _kubeconfig(Path(_option(args, "--kubeconfig") or ""), f"dev@{name}.{region}.eksctl.io")
        return 0
    if args[:2] == ["utils", "write-kubeconfig"]:
        cluster, where = _option(args, "--cluster"), _option(args, "--region")
        _kubeconfig(Path(_option(args, "--kubeconfig") or ""), f"dev@{cluster}.{where}.eksctl.io")
        return 0
    if args[:2] == ["delete", "cluster"]:
        clusters.remove(_option(args, "--name") or "")
        return 0
    return 2


def aws(args: list[str], state: dict[str, Any]) -> int:
    if args[:2] == ["sts", "get-caller-identity"]:
        print("123456789012")
        return 0
    repositories: list[str] = state.setdefault("repositories", [])
    if args[:2] == ["ecr", "describe-repositories"]:
        return 0 if _option(args, "--repository-names") in repositories else 254
    if args[:2] == ["ecr", "create-repository"]:
        repositories.append(_option(args, "--repository-name") or "")
        return 0
    if args[:2] == ["ecr", "get-login-password"]:
        print("ecr-password")
        return 0
    return 2


def docker(args: list[str], state: dict[str, Any]) -> int:
    images: list[str] = state.setdefault("images", [])
    if args[:1] == ["--version"]:
        print("Docker version 28.2.2, build e6534b4")
        return 0
    if args[:1] == ["info"]:
        if state.get("docker_down"):
            print(
                "Cannot connect to the Docker daemon at unix:///var/run/docker.sock."
                " Is the docker daemon running?",
                file=sys.stderr,
            )
            return 1
        print(json.dumps(_engine_info(state)))
        return 0
    if args[:1] == ["inspect"] and args[-1] == REGISTRY:
        return _registry_inspect(args, state)
    if args[:1] == ["run"]:
        state["registry"] = {"running": True, "networks": ["bridge"]}
        print("c0ffee")
        return 0
    if args[:1] == ["start"]:
        state["registry"]["running"] = True
        return 0
    if args[:2] == ["network", "connect"]:
        state["registry"]["networks"].append(args[2])
        return 0
    if args[:1] == ["exec"]:
        state.setdefault("mirrors", {})[args[2]] = sys.stdin.read()
        return 0
    if args[:2] == ["image", "inspect"]:
        return 0 if args[-1] in images else 1
    if args[:1] == ["build"]:
        images.append(_option(args, "--tag") or "")
        return 0
    if args[:1] in (["push"], ["login"]):
        if args[:1] == ["login"]:
            sys.stdin.read()
        return 0
    return 2


def _engine_info(state: dict[str, Any]) -> dict[str, Any]:
    """`docker info --format {{json .}}`: Docker's answer, or Podman's behind its stand-in."""
    if state.get("podman"):
        return {"host": {"security": {"rootless": True}}, "version": {"Version": "5.4.0"}}
    options = ["name=seccomp,profile=builtin", "name=cgroupns"]
    return {
        "ServerVersion": "28.2.2",
        "SecurityOptions": options + (["name=rootless"] if state.get("rootless") else []),
    }


def _registry_inspect(args: list[str], state: dict[str, Any]) -> int:
    registry = state.get("registry")
    if registry is None:
        print(f"Error: No such object: {REGISTRY}", file=sys.stderr)
        return 1
    asked = _option(args, "--format") or ""
    if "Networks.kind" in asked:
        print(json.dumps({"NetworkID": "k1"}) if "kind" in registry["networks"] else "null")
    else:
        print("true" if registry["running"] else "false")
    return 0


def kubectl(args: list[str]) -> int:
    if args[:1] == ["version"]:
        print(json.dumps({"clientVersion": {"gitVersion": "v1.37.1"}}))
        return 0
    if args[:1] == ["kustomize"]:
        os.execv(os.environ["REAL_KUBECTL"], ["kubectl", *args])
    if "apply" in args:
        import urllib.request

        url = _option(args, "--filename") or ""
        data = json.dumps({"url": url}).encode()
        request = urllib.request.Request(
            f"{os.environ['FAKE_KUBE_URL']}/_fake/install", data, method="POST"
        )
        urllib.request.urlopen(request).read()
        print(f"applied {url}")
        return 0
    return 2


def _kubeconfig(path: Path, context: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": context, "cluster": {"server": os.environ["FAKE_KUBE_URL"]}}],
        "users": [{"name": context, "user": {"token": "stub-token"}}],
        "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
        "current-context": context,
    }
    path.write_text(json.dumps(config))


def _option(args: list[str], flag: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == flag and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def _env() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if key in ("KUBECONFIG", "TICKETING_MANIFESTS", "HOME")
    }


def _save(path: Path, state: dict[str, Any]) -> None:
    path.write_text(json.dumps(state))


if __name__ == "__main__":
    sys.exit(main())
