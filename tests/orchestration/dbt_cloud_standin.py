"""A local stand-in for the dbt Cloud Administrative API v2: the calls the DAG makes.

The shapes follow dbt Labs' spec (openapi-v2.yaml in github.com/dbt-labs/dbt-cloud-openapi-spec,
https://docs.getdbt.com/dbt-cloud/api-v2): Trigger Job Run, Retrieve Run, List Run Artifacts,
Retrieve Run Artifact, Cancel Run, and (for the operator's retry_from_failure) List Runs and
Retry Failed Job, each enveloped as `{"data": ..., "status": {...}}`, run
status codes 1 Queued, 2 Starting, 3 Running, 10 Success, 20 Error, 30 Cancelled.

The provider's hook always calls `https://<connection host>/` (DbtCloudHook.get_conn), so the
stand-in speaks TLS on 127.0.0.1 with a throwaway self-signed certificate; point `requests`
at it with REQUESTS_CA_BUNDLE=<stand-in>.ca_bundle. It binds to loopback only, runs in a
thread of the test process and is shut down by its context manager.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

QUEUED, STARTING, RUNNING, SUCCESS, ERROR, CANCELLED = 1, 2, 3, 10, 20, 30
HUMANIZED = {
    QUEUED: "Queued",
    STARTING: "Starting",
    RUNNING: "Running",
    SUCCESS: "Success",
    ERROR: "Error",
    CANCELLED: "Cancelled",
}
# Retrieve Run without include_related=debug_logs: "truncated to the last 1,000 lines".
TRUNCATED_LOG_LINES = 1000


@dataclass
class RunPlan:
    """How one triggered run goes: its end status, the files it leaves, its steps' logs."""

    final_status: int = SUCCESS
    artefacts: dict[str, bytes] = field(default_factory=dict)
    steps: list[tuple[str, str]] = field(default_factory=lambda: [("dbt build", "ok\n")])
    status_message: str | None = None
    # Retrieve Run answers this many times with Running before the end status.
    polls_running: int = 1
    # Retrieve Run first answers this many times with 503 (a transient dbt Cloud error).
    transient_errors: int = 0


@dataclass
class Run:
    id: int
    plan: RunPlan
    cause: str
    # "run" for Trigger Job Run, "rerun" for Retry Failed Job (resumes from the failed node).
    endpoint: str = "run"
    polls: int = 0
    errors_sent: int = 0
    status: int = QUEUED
    cancelled: bool = False


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for IP 127.0.0.1 (its own CA, so it can be the CA bundle)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dbt Cloud stand-in")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "standin.crt", directory / "standin.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class DbtCloudStandIn:
    """dbt Cloud for one account and one job; each trigger starts the next planned run."""

    def __init__(
        self, directory: Path, *, token: str, account_id: int, job_id: int, plans: list[RunPlan]
    ) -> None:
        self.token = token
        self.account_id = account_id
        self.job_id = job_id
        self.plans = list(plans)
        self.runs: dict[int, Run] = {}
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self._lock = threading.Lock()
        self._next_id = 70_001
        self.ca_bundle, self._key = _certificate(directory)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_bundle, self._key)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def host(self) -> str:
        """What goes in the Airflow connection's host (dbt Cloud's "tenant")."""
        return f"127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # ------------------------------------------------------------------ the API

    def _trigger(self, job: int, body: dict[str, Any], endpoint: str) -> tuple[int, Any]:
        if job != self.job_id:
            return 404, None
        if endpoint == "run" and not body.get("cause"):  # TriggerRunRequest: cause required
            return 400, None
        with self._lock:
            plan = self.plans.pop(0) if len(self.plans) > 1 else self.plans[0]
            run = Run(id=self._next_id, plan=plan, cause=body.get("cause", ""), endpoint=endpoint)
            self._next_id += 1
            self.runs[run.id] = run
        return 200, self._run_body(run, includes=set())

    def _retrieve(self, run: Run, includes: set[str]) -> dict[str, Any]:
        with self._lock:
            if run.status not in (SUCCESS, ERROR, CANCELLED):
                run.polls += 1
                running = run.polls <= run.plan.polls_running
                run.status = RUNNING if running else run.plan.final_status
        return self._run_body(run, includes)

    def _run_body(self, run: Run, includes: set[str]) -> dict[str, Any]:
        done = run.status in (SUCCESS, ERROR, CANCELLED)
        body: dict[str, Any] = {
            "id": run.id,
            "account_id": self.account_id,
            "job_definition_id": self.job_id,
            "status": run.status,
            "status_humanized": HUMANIZED[run.status],
            "status_message": run.plan.status_message if run.status == ERROR else None,
            "in_progress": not done,
            "is_complete": done,
            "is_success": run.status == SUCCESS,
            "is_error": run.status == ERROR,
            "is_cancelled": run.status == CANCELLED,
            "href": f"https://{self.host}/deploy/{self.account_id}/projects/1/runs/{run.id}/",
            "created_at": "2026-12-01 21:00:00.000000+00:00",
            "updated_at": "2026-12-01 21:00:00.000000+00:00",
            "trigger": {"cause": run.cause},
        }
        if "run_steps" in includes:
            body["run_steps"] = [
                {
                    "run_id": run.id,
                    "account_id": self.account_id,
                    "index": index,
                    "name": name,
                    "status": run.status if done else RUNNING,
                    "status_humanized": HUMANIZED[run.status if done else RUNNING],
                    "logs": log.splitlines()[-1] if log else "",
                    "debug_logs": log
                    if "debug_logs" in includes
                    else "\n".join(log.splitlines()[-TRUNCATED_LOG_LINES:]),
                }
                for index, (name, log) in enumerate(run.plan.steps, start=1)
            ]
        return body

    def _artefacts(self, run: Run) -> list[str]:
        return sorted(run.plan.artefacts) if run.status in (SUCCESS, ERROR, CANCELLED) else []

    # ------------------------------------------------------------------ HTTP

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self
        account = r"/api/v2/accounts/(?P<account>\d+)"
        routes = {
            "POST": [
                (re.compile(account + r"/jobs/(?P<job>\d+)/run/"), "trigger"),
                (re.compile(account + r"/jobs/(?P<job>\d+)/rerun/"), "rerun"),
                (re.compile(account + r"/runs/(?P<run>\d+)/cancel/"), "cancel"),
            ],
            "GET": [
                (re.compile(account + r"/runs/"), "runs"),
                (re.compile(account + r"/runs/(?P<run>\d+)/"), "retrieve"),
                (re.compile(account + r"/runs/(?P<run>\d+)/artifacts/"), "list"),
                (re.compile(account + r"/runs/(?P<run>\d+)/artifacts/(?P<path>.+)"), "artefact"),
            ],
        }

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                return

            def do_GET(self) -> None:
                self._dispatch("GET")

            def do_POST(self) -> None:
                self._dispatch("POST")

            def _send(self, code: int, data: Any = None, raw: bytes | None = None) -> None:
                if raw is None:
                    raw = json.dumps(
                        {
                            "data": data,
                            "status": {
                                "code": code,
                                "is_success": code == 200,
                                "user_message": "Success!" if code == 200 else f"HTTP {code}",
                                "developer_message": "",
                            },
                        }
                    ).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _dispatch(self, method: str) -> None:
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                standin.requests.append((method, url.path, query))
                auth = self.headers.get("Authorization", "")
                if auth not in (f"Token {standin.token}", f"Bearer {standin.token}"):
                    return self._send(401)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}") if method == "POST" else {}
                found = [(p.fullmatch(url.path), n) for p, n in routes[method]]
                match, name = next(((m, n) for m, n in found if m), (None, ""))
                if match is None:
                    return self._send(404)
                if int(match["account"]) != standin.account_id:
                    return self._send(404)
                if name in ("trigger", "rerun"):
                    endpoint = "run" if name == "trigger" else "rerun"
                    return self._send(*standin._trigger(int(match["job"]), body, endpoint))
                if name == "runs":  # List Runs, newest first, as the operator asks
                    job = int(query.get("job_definition_id", ["0"])[0])
                    runs = [standin._run_body(r, set()) for r in standin.runs.values()]
                    newest = sorted(runs, key=lambda r: -r["id"])
                    limit = int(query.get("limit", ["100"])[0])
                    # status__in arrives as the operator sends it: str(list), "[1, 2, 3]".
                    wanted = {int(v) for v in re.findall(r"\d+", query.get("status__in", [""])[0])}
                    data = [
                        r
                        for r in newest
                        if r["job_definition_id"] == job and (not wanted or r["status"] in wanted)
                    ][:limit]
                    return self._send(200, data)
                run = standin.runs.get(int(match["run"]))
                if run is None:
                    return self._send(404)
                # include_related arrives repeated (requests' encoding of a list) or as a
                # comma-separated string; accept both.
                includes = {v for raw in query.get("include_related", []) for v in raw.split(",")}
                if name == "retrieve":
                    if run.plan.transient_errors > run.errors_sent:
                        run.errors_sent += 1
                        return self._send(503)
                    return self._send(200, standin._retrieve(run, includes))
                if name == "cancel":
                    run.cancelled, run.status = True, CANCELLED
                    return self._send(200, standin._run_body(run, set()))
                if name == "list":
                    return self._send(200, standin._artefacts(run))
                if match["path"] not in standin._artefacts(run):
                    return self._send(404)
                return self._send(200, raw=run.plan.artefacts[match["path"]])

        return Handler


@contextmanager
def dbt_cloud_standin(directory: Path, **kwargs: Any) -> Iterator[DbtCloudStandIn]:
    standin = DbtCloudStandIn(directory, **kwargs)
    standin.start()
    try:
        yield standin
    finally:
        standin.stop()
