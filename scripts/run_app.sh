#!/usr/bin/env bash
# Install what the app needs into .venv and start it on http://localhost:8501.
#   bash scripts/run_app.sh                  # CPU (onnxruntime)
#   PLAYGROUND_GPU=1 bash scripts/run_app.sh # NVIDIA GPU (onnxruntime-gpu instead of onnxruntime)
# Extra arguments go to `streamlit run`, e.g. --server.port 8080. scripts/serve.py warms the app first
# (libraries, models, caches), so the first visitor does not wait for them.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
pip=(.venv/bin/python -m pip --disable-pip-version-check -q)
if [ "${PLAYGROUND_GPU:-0}" = 1 ]; then
  "${pip[@]}" uninstall -y onnxruntime >/dev/null 2>&1 || true   # the two wheels clash
  "${pip[@]}" install -r requirements-gpu.txt
else
  "${pip[@]}" uninstall -y onnxruntime-gpu >/dev/null 2>&1 || true
  "${pip[@]}" install -r requirements.txt
fi
exec .venv/bin/python scripts/serve.py "$@"
