"""kind's local registry, set up the way kind's docs and ctlptl do.

A `registry` container on the host (127.0.0.1:5001) is joined to the `kind` Docker network;
each node's containerd resolves `localhost:5001` to it (a `hosts.toml` under the config path the
cluster config enables); the `kube-public/local-registry-hosting` ConfigMap (KEP-1755) tells
tools such as Tilt and Skaffold where it is. `docker push` then sends only the layers the
registry lacks, where `kind load` copies whole images into every node each time.
"""

from __future__ import annotations

from typing import Any

import yaml

from ticketing_harness.clusters.commands import Command, Runner, command
from ticketing_harness.clusters.naming import IMAGE_PREFIX
from ticketing_harness.clusters.pins import reference

NAME = "kind-registry"
HOST_PORT = 5001
CONTAINER_PORT = 5000
HOST = f"localhost:{HOST_PORT}"
KIND_NETWORK = "kind"
# Where our images go: localhost:5001/ticketing/<component>.
REGISTRY = f"{HOST}/{IMAGE_PREFIX}"
MIRROR_DIR = f"/etc/containerd/certs.d/{HOST}"
MIRROR = f'[host."http://{NAME}:{CONTAINER_PORT}"]\n'
HOSTING = ("kube-public", "local-registry-hosting")
HELP = "https://kind.sigs.k8s.io/docs/user/local-registry/"


def running() -> Command:
    return command("docker", "inspect", "--format", "{{.State.Running}}", NAME)


def start() -> Command:
    return command("docker", "start", NAME)


def run() -> Command:
    return command(
        "docker", "run", "--detach", "--restart=always",
        "--publish", f"127.0.0.1:{HOST_PORT}:{CONTAINER_PORT}", "--network", "bridge",
        "--name", NAME, reference("registry"),
    )  # fmt: skip


def networks() -> Command:
    return command(
        "docker", "inspect", "--format", f"{{{{json .NetworkSettings.Networks.{KIND_NETWORK}}}}}",
        NAME,
    )  # fmt: skip


def connect() -> Command:
    return command("docker", "network", "connect", KIND_NETWORK, NAME)


def nodes(cluster: str) -> Command:
    return command("kind", "get", "nodes", "--name", cluster)


def mirror(node: str) -> Command:
    """Tell the node's containerd that localhost:5001 is the registry container."""
    script = f"mkdir -p {MIRROR_DIR} && cp /dev/stdin {MIRROR_DIR}/hosts.toml"
    return command("docker", "exec", "--interactive", node, "sh", "-c", script, stdin=MIRROR)


def hosting() -> dict[str, Any]:
    """The KEP-1755 ConfigMap that says where the cluster's local registry is."""
    described = {"host": HOST, "hostFromClusterNetwork": f"{NAME}:{CONTAINER_PORT}", "help": HELP}
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": HOSTING[1], "namespace": HOSTING[0]},
        "data": {"localRegistryHosting.v1": yaml.safe_dump(described, sort_keys=False)},
    }


def plan_container() -> list[str]:
    return [f"{running()}  # start it when stopped; when missing:", str(run())]


def ensure_container(runner: Runner) -> str:
    """The registry container runs: started if stopped, created if missing."""
    state = runner.result(running())
    if state.ok and state.stdout.strip() == "true":
        return f"registry {NAME} running"
    runner.run(start() if state.ok else run())
    return f"registry {NAME} {'started' if state.ok else 'created'} on 127.0.0.1:{HOST_PORT}"


def plan_cluster(cluster: str) -> list[str]:
    return [
        str(nodes(cluster)),
        f"{mirror('<node>')}  # on each node",
        f"{networks()}  # when not on the kind network:",
        str(connect()),
        f"API: server-side apply ConfigMap {HOSTING[0]}/{HOSTING[1]}",
    ]


def connect_cluster(runner: Runner, cluster: str) -> list[str]:
    """Each node pulls localhost:5001 from the registry, which joins the kind network."""
    names = runner.run(nodes(cluster)).stdout.split()
    for node in names:
        runner.run(mirror(node))
    if runner.run(networks()).stdout.strip() in ("", "null"):
        runner.run(connect())
    return names
