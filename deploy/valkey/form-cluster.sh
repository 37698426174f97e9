#!/bin/sh
# Forms the Valkey cluster once: 3 masters, each with a replica (docker-compose.scale.yml's
# valkey-init service). Does nothing when the cluster is already formed, so it can run on every
# `docker compose up`. NODES: "host:port ..." (6 of them); CLI: the valkey-cli to use.
set -eu
NODES=${NODES:-"valkey-1:6379 valkey-2:6379 valkey-3:6379 valkey-4:6379 valkey-5:6379 valkey-6:6379"}
CLI=${CLI:-valkey-cli}
FIRST=${NODES%% *}

cli() {  # cli HOST:PORT ARGS...
    node=$1; shift
    "$CLI" -h "${node%:*}" -p "${node##*:}" "$@"
}

for node in $NODES; do
    tries=0
    until [ "$(cli "$node" ping 2>/dev/null)" = "PONG" ]; do
        tries=$((tries + 1))
        [ "$tries" -le 120 ] || { echo "form-cluster: $node does not answer" >&2; exit 1; }
        sleep 1
    done
done

# Already formed (the nodes keep it in nodes.conf on their volumes): nothing to do but wait for ok.
if [ "$(cli "$FIRST" cluster info | tr -d '\r' | sed -n 's/^cluster_known_nodes://p')" = "1" ]; then
    # CLUSTER MEET takes IP addresses: resolve the compose names
    addresses=""
    for node in $NODES; do
        ip=$(getent ahostsv4 "${node%:*}" | awk 'NR == 1 {print $1}')
        [ -n "$ip" ] || { echo "form-cluster: cannot resolve ${node%:*}" >&2; exit 1; }
        addresses="$addresses $ip:${node##*:}"
    done
    echo "form-cluster: creating the cluster over$addresses"
    # shellcheck disable=SC2086
    "$CLI" --cluster create $addresses --cluster-replicas 1 --cluster-yes
fi

tries=0
until cli "$FIRST" cluster info | tr -d '\r' | grep -qx 'cluster_state:ok'; do
    tries=$((tries + 1))
    [ "$tries" -le 60 ] || { echo "form-cluster: the cluster is not ok" >&2; cli "$FIRST" cluster info >&2; exit 1; }
    sleep 1
done
echo "form-cluster: cluster_state:ok"
