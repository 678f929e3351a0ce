#!/usr/bin/env bash
# Several app processes behind HAProxy (deploy/haproxy.cfg) with sticky sessions, on one machine.
#   bash scripts/run_replicas.sh                        # 2 replicas; visit http://localhost:8501
#   PLAYGROUND_REPLICAS=4 bash scripts/run_replicas.sh  # one replica per core or two is about right
# Environment (defaults in brackets):
#   PLAYGROUND_REPLICAS [2]        app processes
#   PLAYGROUND_PROXY_PORT [8501]   where HAProxy listens
#   PLAYGROUND_BIND [0.0.0.0]      the proxy's address (the replicas always listen on 127.0.0.1 only)
#   PLAYGROUND_REPLICA_PORT [8601] the first replica's port; the others follow it
#   PLAYGROUND_COOKIE_SECRET       server.cookieSecret for every replica [a new random one for this start]
#   PLAYGROUND_RUN_DIR [.run]      where the proxy config, pids and replica logs go
#   PLAYGROUND_PYTHON              an interpreter that has requirements.txt [.venv, installed as run_app.sh does]
# It runs in the foreground; Ctrl-C (or SIGTERM) stops the proxy and every replica.
set -euo pipefail
cd "$(dirname "$0")/.."
replicas=${PLAYGROUND_REPLICAS:-2}
export PLAYGROUND_PROXY_PORT=${PLAYGROUND_PROXY_PORT:-8501} PLAYGROUND_BIND=${PLAYGROUND_BIND:-0.0.0.0}
first_port=${PLAYGROUND_REPLICA_PORT:-8601}
export PLAYGROUND_RUN_DIR=${PLAYGROUND_RUN_DIR:-.run}
run_dir=$PLAYGROUND_RUN_DIR
python=${PLAYGROUND_PYTHON:-}
if [ -z "$python" ]; then
  [ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
  .venv/bin/python -m pip --disable-pip-version-check -q install -r requirements.txt
  python=.venv/bin/python
fi
haproxy=$(command -v haproxy || echo /usr/sbin/haproxy)
[ -x "$haproxy" ] || { echo "haproxy not found: apt-get install -y haproxy" >&2; exit 1; }
mkdir -p "$run_dir"

# One secret for all: a replica must accept the signed cookies another one set.
export STREAMLIT_SERVER_COOKIE_SECRET=${PLAYGROUND_COOKIE_SECRET:-$("$python" -c 'import secrets; print(secrets.token_hex(32))')}

pids=()
stop() { trap - EXIT INT TERM; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

cp deploy/haproxy.cfg "$run_dir/haproxy.cfg"
for k in $(seq 1 "$replicas"); do
  port=$((first_port + k - 1))
  "$python" scripts/serve.py --server.port "$port" --server.address 127.0.0.1 >"$run_dir/replica-$k.log" 2>&1 &
  pids+=($!)
  echo $! >"$run_dir/replica-$k.pid"
  echo "    server replica-$k 127.0.0.1:$port check cookie replica-$k" >>"$run_dir/haproxy.cfg"
done
"$haproxy" -c -q -f "$run_dir/haproxy.cfg"
"$haproxy" -W -db -f "$run_dir/haproxy.cfg" &
pids+=($!)
echo "$replicas replicas behind http://$PLAYGROUND_BIND:$PLAYGROUND_PROXY_PORT (logs in $run_dir/)"
wait -n  # if the proxy or a replica stops, stop everything
