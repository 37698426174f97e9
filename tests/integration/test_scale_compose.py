"""docker-compose.scale.yml without Docker (no engine here): the file holds together (services, settings,
mounted files, the proxy's upstream = the workers' webhook port), and its Valkey cluster init script,
deploy/valkey/form-cluster.sh, forms a real 3-master cluster with replicas from six local valkey-server
processes started with deploy/valkey/cluster-node.conf, and does nothing when run again."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from indexing.processes import free_port
from tests.integration.chat import ROOT
from tests.processes import stop_process, watch_dir

COMPOSE = ROOT / "docker-compose.scale.yml"
VALKEY_NODES = [f"valkey-{i}" for i in range(1, 7)]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_the_compose_file_runs_webhook_workers_on_milvus_and_the_valkey_cluster(compose):
    services = compose["services"]
    assert set(services) == {"bot", "scheduler", "proxy", "milvus", "valkey-init", *VALKEY_NODES}
    bot, scheduler = services["bot"], services["scheduler"]
    assert bot["deploy"]["replicas"] >= 2
    for service in (bot, scheduler):
        env = service["environment"]
        assert env["REDIS_URL"].startswith("redis://valkey-")
        assert env["HASHLENS_VECTOR_BACKEND"] == "milvus"
        assert env["HASHLENS_MILVUS_URI"] == "http://milvus:19530"
        assert env["HASHLENS_DATA_DIR"] == "/data"  # whatever a copied .env.example says
        assert service["depends_on"]["valkey-init"]["condition"] == "service_completed_successfully"
        assert service["depends_on"]["milvus"]["condition"] == "service_healthy"
    env = bot["environment"]
    assert env["HASHLENS_SCHEDULER_IN_BOT"] == "false" and scheduler["command"][-1] == "scheduler"
    for name in ("TELEGRAM_BOT_TOKEN", "HASHLENS_WEBHOOK_URL", "HASHLENS_WEBHOOK_SECRET"):
        assert env[name].startswith("${" + name + ":?"), f"{name} must be required, not defaulted"
    assert "ports" not in bot, "replicas cannot share a host port: only the proxy is published"

    # the proxy sends to the service `bot` on the port the workers listen on
    proxy_conf = (ROOT / "deploy/nginx/hashlens.conf").read_text()
    upstream = re.search(r"^\s*server (\S+):(\d+) resolve;$", proxy_conf, re.MULTILINE)
    assert upstream and upstream.groups() == ("bot", env["HASHLENS_WEBHOOK_PORT"])
    listen = re.search(r"^\s*listen (\d+);$", proxy_conf, re.MULTILINE).group(1)
    assert services["proxy"]["ports"] == [f"8443:{listen}"]

    # each node announces its own service name; the init waits for all six
    for name in VALKEY_NODES:
        command = services[name]["command"]
        assert command[command.index("--cluster-announce-hostname") + 1] == name
    assert set(services["valkey-init"]["depends_on"]) == set(VALKEY_NODES)
    assert services["milvus"]["environment"]["ETCD_USE_EMBED"] == "true"
    assert services["milvus"]["environment"]["COMMON_STORAGETYPE"] == "local"

    # every file mounted from the repository exists
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{source} is mounted but missing"


VALKEY_BIN = None
try:
    from indexing.redis_server import find_server_binary

    VALKEY_BIN = Path(find_server_binary())
except Exception:  # noqa: BLE001 - reported as the skip reason below
    pass
VALKEY_CLI = VALKEY_BIN.with_name("valkey-cli") if VALKEY_BIN else None


@pytest.mark.skipif(VALKEY_CLI is None or not VALKEY_CLI.exists(), reason="no valkey-server/valkey-cli binaries")
@pytest.mark.skipif(shutil.which("getent") is None, reason="form-cluster.sh resolves names with getent")
def test_form_cluster_makes_three_masters_with_a_replica_each_once(tmp_path):
    import redis

    watch_dir(tmp_path)
    ports = [free_port() for _ in VALKEY_NODES]
    nodes = []
    try:
        for port in ports:
            data = tmp_path / str(port)
            data.mkdir()
            # as in the compose file: the node config, only the port and the announced name differ
            nodes.append(subprocess.Popen(
                [str(VALKEY_BIN), str(ROOT / "deploy/valkey/cluster-node.conf"), "--port", str(port),
                 "--cluster-port", str(free_port()),  # not port + 10000: above 65535 for high free ports
                 "--bind", "127.0.0.1", "--cluster-announce-hostname", "localhost", "--appendfsync", "everysec"],
                cwd=data, stdout=open(data / "valkey.log", "w"), stderr=subprocess.STDOUT))
        for port, proc in zip(ports, nodes):
            deadline = time.monotonic() + 20
            while not _answers(port):
                assert proc.poll() is None, (tmp_path / str(port) / "valkey.log").read_text()[-2000:]
                assert time.monotonic() < deadline, f"valkey-server on {port} did not start"
                time.sleep(0.05)
        env = dict(os.environ, CLI=str(VALKEY_CLI), NODES=" ".join(f"127.0.0.1:{p}" for p in ports))
        script = str(ROOT / "deploy/valkey/form-cluster.sh")
        first = subprocess.run(["sh", script], env=env, capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "creating the cluster" in first.stdout and "cluster_state:ok" in first.stdout

        client = redis.Redis(port=ports[0])
        cluster_nodes = client.execute_command("CLUSTER NODES")  # redis-py: {"ip:port": {"flags": ...}}
        masters = {n["node_id"] for n in cluster_nodes.values() if "master" in n["flags"]}
        replicated = [n["master_id"] for n in cluster_nodes.values() if "slave" in n["flags"]]
        assert len(masters) == 3 and sorted(replicated) == sorted(masters), cluster_nodes
        # clients are sent to the announced hostname (the compose service name there)
        slots = client.execute_command("CLUSTER SLOTS")  # [[first, last, [host, port, id], replica...], ...]
        assert len(slots) == 3 and {s[2][0] for s in slots} == {b"localhost"}, slots

        again = subprocess.run(["sh", script], env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0 and "creating" not in again.stdout, again.stdout + again.stderr

        cluster = redis.RedisCluster(host="127.0.0.1", port=ports[3])  # any node will do, a replica too
        for i in range(50):
            cluster.set(f"k{i}", i)
        assert [int(cluster.get(f"k{i}")) for i in range(50)] == list(range(50))
        assert len({cluster.keyslot(f"k{i}") // 5462 for i in range(50)}) == 3  # spread over the masters
        cluster.close()
        client.close()
    finally:
        for proc in nodes:
            stop_process(proc, timeout_s=20)


def _answers(port: int) -> bool:
    import redis

    try:
        return redis.Redis(port=port, socket_timeout=1).ping()
    except redis.RedisError:
        return False
