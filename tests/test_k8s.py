"""The Kubernetes manifests in deploy/k8s/: valid for the API, and wired the way a sticky Streamlit deployment needs.

Validation is offline, against the OpenAPI schemas that kubernetes-validate ships; no
cluster is needed. The other checks read the manifests and the app's own settings, so a
changed upload limit or port that is not carried over to the manifests fails here.
"""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.conftest import REPO_ROOT

K8S = REPO_ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.30.0"  # a release still in support: an older API than the newest, so older clusters take them too
MULTIPART_MARGIN_MB = 1  # what Streamlit adds to server.maxUploadSize for an upload's multipart framing
MANIFESTS = sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def documents() -> dict[str, dict]:
    """Every resource in deploy/k8s/ by kind (one resource per file)."""
    out = {}
    for name in MANIFESTS:
        (doc,) = list(yaml.safe_load_all((K8S / name).read_text()))
        out[doc["kind"]] = doc
    return out


def app_config() -> dict:
    return tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())


@pytest.mark.parametrize("name", MANIFESTS)
def test_each_manifest_is_valid_for_the_kubernetes_api(name):
    """Strict schema validation: no unknown fields, every required field, the right types."""
    for doc in yaml.safe_load_all((K8S / name).read_text()):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_kustomization_applies_every_manifest():
    """`kubectl apply -k deploy/k8s` applies all of them, and nothing that is not there."""
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == MANIFESTS


def container() -> dict:
    (app,) = documents()["Deployment"]["spec"]["template"]["spec"]["containers"]
    return app


def port_number(app: dict, name_or_number) -> int:
    if isinstance(name_or_number, int):
        return name_or_number
    return next(p["containerPort"] for p in app["ports"] if p.get("name") == name_or_number)


def test_probes_ask_streamlits_health_endpoint_on_the_port_it_listens_on():
    """Readiness, liveness (and startup, for the warm-up) GET /_stcore/health on the port given to Streamlit."""
    app = container()
    args = app["args"]
    listen = int(args[args.index("--server.port") + 1])
    assert args[args.index("--server.address") + 1] == "0.0.0.0"
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        get = app[probe]["httpGet"]
        assert get["path"] == "/_stcore/health" and port_number(app, get["port"]) == listen, probe


def test_pods_run_the_warm_launcher():
    """The container starts scripts/serve.py (warm caches, then streamlit run), which exists in the repo."""
    args = container()["args"]
    assert args[:2] == ["python", "scripts/serve.py"] and (REPO_ROOT / args[1]).exists()
    dockerfile = (REPO_ROOT / "deploy" / "Dockerfile").read_text()
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    assert "scripts/serve.py" in cmd and "COPY scripts/serve.py" in dockerfile


def test_the_cookie_secret_comes_from_a_secret():
    """server.cookieSecret (the same in every pod) is read from a Secret, never written in the manifest."""
    env = {e["name"]: e for e in container()["env"]}
    secret = env["STREAMLIT_SERVER_COOKIE_SECRET"]
    assert "value" not in secret and secret["valueFrom"]["secretKeyRef"]["key"]


def test_service_selects_the_pods_and_the_ingress_reaches_the_service():
    """Service selector = pod labels; Ingress backend = the Service's name and port; the port targets the app's."""
    docs = documents()
    labels = docs["Deployment"]["spec"]["template"]["metadata"]["labels"]
    service = docs["Service"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert docs["Deployment"]["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert docs["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"].items() <= labels.items()
    (port,) = service["spec"]["ports"]
    assert port_number(container(), port["targetPort"]) == port_number(container(), "http")
    (rule,) = docs["Ingress"]["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    backend = path["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"] and backend["port"]["name"] == port["name"]


def test_ingress_is_sticky_by_cookie_and_caps_uploads_as_streamlit_does():
    """Cookie affinity (every request of a browser on one pod), long WebSocket timeouts, and a body limit of
    server.maxUploadSize plus the multipart margin Streamlit allows: neither refuses what the other accepts."""
    notes = documents()["Ingress"]["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    assert notes[prefix + "affinity"] == "cookie"
    assert notes[prefix + "session-cookie-name"]
    max_upload_mb = app_config()["server"]["maxUploadSize"]
    assert notes[prefix + "proxy-body-size"] == f"{max_upload_mb + MULTIPART_MARGIN_MB}m"
    assert int(notes[prefix + "proxy-read-timeout"]) >= 3600


def test_the_local_proxy_caps_uploads_the_same_way():
    """deploy/haproxy.cfg refuses a body over the same limit as the Ingress, in bytes."""
    limit = (app_config()["server"]["maxUploadSize"] + MULTIPART_MARGIN_MB) * 1024 * 1024
    config = (REPO_ROOT / "deploy" / "haproxy.cfg").read_text()
    assert f"req.hdr_val(content-length) gt {limit} " in config


def test_the_dockerfile_copies_what_the_app_reads():
    """The image holds the entry point, the pages, the library, the models and the app's config."""
    dockerfile = (REPO_ROOT / "deploy" / "Dockerfile").read_text()
    copied = {shlex.split(line)[1] for line in dockerfile.splitlines() if line.startswith("COPY ")}
    assert {"requirements.txt", ".streamlit", "streamlit_app.py", "playground", "pages", "onnx_models"} <= copied
    assert all((REPO_ROOT / Path(c)).exists() for c in copied)
