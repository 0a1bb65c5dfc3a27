"""Pod addresses: a bridge on this machine, a network namespace with its own address per pod, and the
hosts files that stand in for cluster DNS.

Nothing is routed anywhere else: the bridge's subnet is private to this machine and no forwarding is set
up, so pods reach each other and the runner's Service addresses, nothing more.
"""

import ipaddress
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .objects import PodRunnerError

SUBNET_CANDIDATES = tuple(ipaddress.ip_network(f"10.{second}.0.0/16") for second in range(200, 250))


def ip(*arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `ip` with `arguments`; PodRunnerError with its message when it fails and `check`."""
    result = subprocess.run(["ip", *arguments], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise PodRunnerError(f"ip {' '.join(arguments)}: {result.stderr.strip()}")
    return result


def used_networks() -> list[ipaddress.IPv4Network]:
    """The IPv4 networks of this machine's addresses and routes."""
    networks = []
    for line in ip("-o", "-4", "addr").stdout.splitlines() + ip("-4", "route").stdout.splitlines():
        for word in line.split():
            try:
                networks.append(ipaddress.ip_network(word, strict=False))
            except ValueError:
                continue
    return [network for network in networks if isinstance(network, ipaddress.IPv4Network)]


def free_subnet(used: Iterable[ipaddress.IPv4Network]) -> ipaddress.IPv4Network:
    """The first candidate subnet that overlaps nothing in use."""
    taken = list(used)
    for candidate in SUBNET_CANDIDATES:
        if isinstance(candidate, ipaddress.IPv4Network) and not any(
            candidate.overlaps(other) for other in taken if other.prefixlen > 0
        ):
            return candidate
    raise PodRunnerError("no free private subnet for the pod network (10.200-249.0.0/16 are all in use)")


@dataclass
class Bridge:
    """The pod network: a bridge with the first address of its subnet."""

    name: str
    subnet: ipaddress.IPv4Network
    next_host: int = 2
    next_service: int = 1

    @property
    def gateway(self) -> str:
        """The bridge's own address: this machine as the pods see it."""
        return str(self.subnet.network_address + 1)

    def create(self) -> None:
        """Create the bridge and bring it up."""
        ip("link", "add", self.name, "type", "bridge")
        ip("addr", "add", f"{self.gateway}/{self.subnet.prefixlen}", "dev", self.name)
        ip("link", "set", self.name, "up")

    def allocate_pod_address(self) -> str:
        """A new pod address, never handed out before in this network."""
        address = self.subnet.network_address + self.next_host
        self.next_host += 1
        if address >= self.subnet.broadcast_address - 256:
            raise PodRunnerError(f"the pod network {self.subnet} has no addresses left")
        return str(address)

    def add_service_address(self) -> str:
        """A new address on the bridge for a Service's cluster IP (from the top of the subnet)."""
        address = self.subnet.broadcast_address - self.next_service
        self.next_service += 1
        ip("addr", "add", f"{address}/32", "dev", self.name)
        return str(address)

    def delete(self) -> None:
        """Remove the bridge (and so its addresses)."""
        ip("link", "del", self.name, check=False)


def add_pod_namespace(bridge: Bridge, netns: str, veth: str, address: str) -> None:
    """A network namespace whose eth0 has `address` on the bridge, with loopback up."""
    ip("netns", "add", netns)
    try:
        ip("link", "add", veth, "type", "veth", "peer", "name", f"{veth}p")
        ip("link", "set", f"{veth}p", "netns", netns)
        ip("link", "set", veth, "master", bridge.name)
        ip("link", "set", veth, "up")
        inside = ("netns", "exec", netns, "ip")
        ip(*inside, "link", "set", f"{veth}p", "name", "eth0")
        ip(*inside, "addr", "add", f"{address}/{bridge.subnet.prefixlen}", "dev", "eth0")
        ip(*inside, "link", "set", "eth0", "up")
        ip(*inside, "link", "set", "lo", "up")
    except PodRunnerError:
        delete_pod_namespace(netns, veth)
        raise


def delete_pod_namespace(netns: str, veth: str) -> None:
    """Remove a pod's network namespace and its veth pair."""
    ip("link", "del", veth, check=False)
    ip("netns", "del", netns, check=False)


@dataclass(frozen=True)
class HostEntry:
    """One hosts-file line: an address and its names."""

    address: str
    names: tuple[str, ...]


def service_names(service: str, namespace: str, domain: str, own_namespace: str) -> tuple[str, ...]:
    """The names a Service answers to from a pod: its FQDN, and the shorter forms the search path of a pod
    in the same namespace would complete (`<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc`)."""
    fqdn = f"{service}.{namespace}.svc.{domain}"
    shorter = [f"{service}.{namespace}.svc", f"{service}.{namespace}"]
    if namespace == own_namespace:
        shorter.append(service)
    return (fqdn, *shorter)


def pod_names(pod: str, subdomain: str, namespace: str, domain: str, own_namespace: str) -> tuple[str, ...]:
    """The names of a StatefulSet pod through its headless Service (`<pod>.<service>...`)."""
    return service_names(f"{pod}.{subdomain}", namespace, domain, own_namespace)


def hosts_file(own: HostEntry | None, entries: Sequence[HostEntry]) -> str:
    """A hosts file as the kubelet writes it (localhost, then the pod's own names), then every other name."""
    lines = ["# Kubernetes-managed hosts file (kraft pod runner).", "127.0.0.1\tlocalhost",
             "::1\tlocalhost ip6-localhost ip6-loopback"]  # fmt: skip
    for entry in ([own] if own else []) + list(entries):
        lines.append("\t".join((entry.address, *entry.names)))
    return "\n".join(lines) + "\n"
