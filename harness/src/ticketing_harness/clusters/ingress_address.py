"""Step 7: the ingress's address, and the hosts-file entry that points ticketing.dev at it:
127.0.0.1 on kind, the load balancer in the cloud.

A cloud load balancer takes a while to get its address; on EKS it is a hostname, resolved
here to an IP for the hosts file (it can change: `ticketing cluster create` again updates it).
"""

from __future__ import annotations

import socket

from lightkube.resources.core_v1 import Service

from ticketing_harness import hosts_file
from ticketing_harness.clusters import kube as k8s
from ticketing_harness.clusters.ingress import controller
from ticketing_harness.clusters.naming import HOSTNAME
from ticketing_harness.clusters.providers import Kind
from ticketing_harness.clusters.session import Session
from ticketing_harness.clusters.steps import until
from ticketing_harness.errors import HarnessError

LOOPBACK = "127.0.0.1"


def plan(session: Session) -> list[str]:
    if isinstance(session.cloud, Kind):
        where = f"{LOOPBACK} (kind maps ports 80 and 443 there)"
    else:
        namespace, name = controller(session).entry_service
        where = f"the load balancer address of Service {namespace}/{name}, resolved to an IP"
    return [f"map {HOSTNAME} to {where} in {session.hosts_file} (marked block, backup kept)"]


def address(session: Session) -> str:
    """The IP ticketing.dev should resolve to, waiting for a cloud load balancer to get one."""
    if isinstance(session.cloud, Kind):
        return LOOPBACK
    namespace, name = controller(session).entry_service
    service = session.kube.wait(
        k8s.Target(
            Service,
            name,
            namespace,
            lambda svc: k8s.load_balancer_address(svc) is not None,
            f"the load balancer of Service {namespace}/{name}",
        ),
        session.timeout,
    )
    found = k8s.load_balancer_address(service)
    assert found is not None
    return resolve(found, session.timeout, session.poll_interval)


def resolve(name: str, timeout: float, interval: float) -> str:
    """An IPv4 address for `name` (an IP is itself); a new load balancer's DNS name may lag."""
    addresses: list[str] = []

    def lookup() -> str | None:
        try:
            infos = socket.getaddrinfo(name, 443, socket.AF_INET, socket.SOCK_STREAM)
        except socket.gaierror as error:
            return f"{name} does not resolve yet ({error.strerror})"
        addresses.append(str(infos[0][4][0]))
        return None

    until(lookup, timeout=timeout, interval=interval, what=f"cannot resolve {name}")
    return addresses[-1]


def run(session: Session) -> str:
    ip = address(session)
    try:
        change = hosts_file.add(ip, session.hosts_file)
    except HarnessError as error:
        # Not fatal: the cluster works; the user runs one command with sudo.
        return (
            f"{HOSTNAME} -> {ip} NOT written ({error}). Run:"
            f" sudo $(which ticketing) hosts add --ip {ip} --hosts-file {session.hosts_file}"
        )
    session.remember(done="hosts")
    return f"{HOSTNAME} -> {ip} ({change.value} in {session.hosts_file})"


def plan_remove(session: Session) -> list[str]:
    return [f"remove the {HOSTNAME} block from {session.hosts_file}"]


def remove(session: Session) -> str:
    change = hosts_file.remove(session.hosts_file)
    return f"{HOSTNAME} entry {change.value} in {session.hosts_file}"
