"""The sandbox HTTP server: EasyPost v2 on 127.0.0.1, label files, and /_sandbox control endpoints.

Control endpoints (no auth, never faulted):
    GET  /_sandbox/health                 {"ok": true, "api_base": ...}
    GET  /_sandbox/ledger                 {"ledger": [purchase / refund / pickup events]}
    GET  /_sandbox/faults                 the current FaultConfig as JSON
    POST /_sandbox/faults                 {"latency_ms": 500, ...} merged, or {"spec": "..."}
    POST /_sandbox/faults/reset           back to no faults
    GET  /_sandbox/timings                tracker_step_s, batch_s, scan_form_s, refund_s
    POST /_sandbox/timings                {"tracker_step_s": 5} merged
    GET  /_sandbox/clock                  {"now": ISO}
    POST /_sandbox/clock/advance          {"seconds": 60} -> moves sandbox time, runs due events
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import logging
import re
import socket
import threading
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.domain.errors import AppError
from app.postage.sandbox import discovery
from app.postage.sandbox.clock import SandboxClock, Timings, iso_z
from app.postage.sandbox.faults import FaultConfig, FaultInjector, parse_fault_spec
from app.postage.sandbox.handlers import SandboxApi
from app.postage.sandbox.label_data import LabelData, LabelFormat
from app.postage.sandbox.label_files import (
    CONTENT_TYPES,
    EXTENSION_FORMATS,
    FileCache,
    label_address,
    label_data_for,
)
from app.postage.sandbox.labels import render_customs_form, render_scan_form_pdf
from app.postage.sandbox.objects import JsonObj, SandboxApiError, not_found
from app.postage.sandbox.store import SandboxStore

Handler = Callable[..., tuple[int, Any]]
_log = logging.getLogger(__name__)
_ID = r"([A-Za-z0-9_]+)"

#: (method, path under /v2, operation name, handler attribute). Names are used by fault specs.
ROUTES: tuple[tuple[str, str, str, str], ...] = (
    ("POST", "/addresses", "address.create", "address_create"),
    (
        "POST",
        "/addresses/create_and_verify",
        "address.create_and_verify",
        "address_create_and_verify",
    ),
    ("GET", "/addresses", "address.list", "address_list"),
    ("GET", f"/addresses/{_ID}", "address.retrieve", "address_retrieve"),
    ("GET", f"/addresses/{_ID}/verify", "address.verify", "address_verify"),
    ("POST", "/parcels", "parcel.create", "parcel_create"),
    ("GET", f"/parcels/{_ID}", "parcel.retrieve", "parcel_retrieve"),
    ("POST", "/customs_items", "customs_item.create", "customs_item_create"),
    ("GET", f"/customs_items/{_ID}", "customs_item.retrieve", "customs_item_retrieve"),
    ("POST", "/customs_infos", "customs_info.create", "customs_info_create"),
    ("GET", f"/customs_infos/{_ID}", "customs_info.retrieve", "customs_info_retrieve"),
    ("POST", "/shipments", "shipment.create", "shipment_create"),
    ("GET", "/shipments", "shipment.list", "shipment_list"),
    ("GET", f"/shipments/{_ID}", "shipment.retrieve", "shipment_retrieve"),
    ("POST", f"/shipments/{_ID}/rerate", "shipment.rerate", "shipment_rerate"),
    ("POST", f"/shipments/{_ID}/buy", "shipment.buy", "shipment_buy"),
    ("GET", f"/shipments/{_ID}/label", "shipment.label", "shipment_label"),
    ("POST", f"/shipments/{_ID}/insure", "shipment.insure", "shipment_insure"),
    ("POST", f"/shipments/{_ID}/refund", "shipment.refund", "shipment_refund"),
    ("GET", f"/rates/{_ID}", "rate.retrieve", "rate_retrieve"),
    ("POST", "/refunds", "refund.create", "refund_create"),
    ("GET", "/refunds", "refund.list", "refund_list"),
    ("GET", f"/refunds/{_ID}", "refund.retrieve", "refund_retrieve"),
    ("POST", "/batches", "batch.create", "batch_create"),
    ("GET", "/batches", "batch.list", "batch_list"),
    ("GET", f"/batches/{_ID}", "batch.retrieve", "batch_retrieve"),
    ("POST", f"/batches/{_ID}/add_shipments", "batch.add_shipments", "batch_add_shipments"),
    (
        "POST",
        f"/batches/{_ID}/remove_shipments",
        "batch.remove_shipments",
        "batch_remove_shipments",
    ),
    ("POST", f"/batches/{_ID}/buy", "batch.buy", "batch_buy"),
    ("POST", f"/batches/{_ID}/label", "batch.label", "batch_label"),
    ("POST", f"/batches/{_ID}/scan_form", "batch.scan_form", "batch_scan_form"),
    ("POST", "/scan_forms", "scan_form.create", "scan_form_create"),
    ("GET", "/scan_forms", "scan_form.list", "scan_form_list"),
    ("GET", f"/scan_forms/{_ID}", "scan_form.retrieve", "scan_form_retrieve"),
    ("POST", "/pickups", "pickup.create", "pickup_create"),
    ("GET", "/pickups", "pickup.list", "pickup_list"),
    ("GET", f"/pickups/{_ID}", "pickup.retrieve", "pickup_retrieve"),
    ("POST", f"/pickups/{_ID}/buy", "pickup.buy", "pickup_buy"),
    ("POST", f"/pickups/{_ID}/cancel", "pickup.cancel", "pickup_cancel"),
    ("POST", "/trackers", "tracker.create", "tracker_create"),
    ("POST", "/trackers/batch", "tracker.batch", "tracker_batch"),
    ("GET", "/trackers", "tracker.list", "tracker_list"),
    ("GET", f"/trackers/{_ID}", "tracker.retrieve", "tracker_retrieve"),
    ("DELETE", f"/trackers/{_ID}", "tracker.delete", "tracker_delete"),
)
#: Operations whose effect must be on disk before the client hears about it.
DURABLE_OPS = frozenset(
    {
        "shipment.buy",
        "shipment.insure",
        "shipment.refund",
        "refund.create",
        "batch.buy",
        "pickup.buy",
        "pickup.cancel",
    }
)
_FILE_PATH = re.compile(
    r"^/files/(postage_label|form|scan_form|batch_label)/([A-Za-z0-9_]+)\.(\w+)$"
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a benchmark opens dozens of connections at once


def _object_ids(body: Any, found: set[str]) -> set[str]:
    """Every object id a response mentions: what a request changed is in what it returns."""
    if isinstance(body, dict):
        for key, value in body.items():
            if isinstance(value, str) and (key == "id" or key.endswith("_id")):
                found.add(value)
            elif isinstance(value, dict | list):
                _object_ids(value, found)
    elif isinstance(body, list):
        for value in body:
            _object_ids(value, found)
    return found


class _Router:
    def __init__(self, api: SandboxApi) -> None:
        self._table: dict[str, list[tuple[re.Pattern[str], str, Handler]]] = {}
        for method, path, op, attr in ROUTES:
            pattern = re.compile(f"^{path}$")
            self._table.setdefault(method, []).append((pattern, op, getattr(api, attr)))

    def match(self, method: str, path: str) -> tuple[str, Handler, tuple[str, ...]] | None:
        for pattern, op, handler in self._table.get(method, ()):
            found = pattern.match(path)
            if found:
                return op, handler, found.groups()
        return None


def _api_key(header: str) -> str:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip()).decode("utf-8").split(":", 1)[0].strip()
        except (ValueError, UnicodeDecodeError):
            return ""
    return ""


def _auth_failure(key: str) -> SandboxApiError | None:
    if not key:
        return SandboxApiError(
            401,
            "APIKEY.REQUIRED",
            "Missing or invalid API key. Provide your "
            "EasyPost API key (HTTP Bearer or Basic authentication).",
        )
    if key.upper().startswith("EZBADKEY"):
        return SandboxApiError(
            401,
            "APIKEY.INVALID",
            "The API key provided is not valid. Please check your API key and try again.",
        )
    if key.upper().startswith("EZINACTIVE"):
        return SandboxApiError(
            403,
            "APIKEY.INACTIVE",
            "This api key is no longer active. Please use "
            "a different api key or reactivate this key.",
        )
    return None


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once; no 40 ms delayed-ACK stalls
    server_version = "PackdeskSandbox/1"
    sandbox: SandboxServer  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the sandbox serves hundreds of requests a second."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.sandbox.request_log is not None:
            self.sandbox.request_log(f"{self.command} {self.path} -> {code}")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    # -- plumbing -----------------------------------------------------------------------------

    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _send_json(self, status: int, body: Any) -> None:
        self._send(status, json.dumps(body).encode("utf-8"), "application/json; charset=utf-8")

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        if not raw.strip():
            return {}
        return json.loads(raw)

    def _dispatch(self, method: str) -> None:
        sandbox = self.sandbox
        parts = urlsplit(self.path)
        path = parts.path
        try:
            body = self._read_body()
        except ValueError:
            self._send_json(
                400,
                SandboxApiError(400, "BAD_REQUEST", "The request body is not valid JSON.").body(),
            )
            return
        query = parse_qs(parts.query, keep_blank_values=True)
        sandbox.run_due_events()
        try:
            if path.startswith("/v2/") or path == "/v2":
                self._api(method, path[3:], body if isinstance(body, dict) else {}, query)
            elif path.startswith("/files/") and method == "GET":
                self._file(path)
            elif path.startswith("/_sandbox/"):
                self._control(method, path, body if isinstance(body, dict) else {})
            else:
                self._send_json(404, not_found().body())
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (its timeout): the work is done and stays done, as at EasyPost.
            self.close_connection = True
        except SandboxApiError as failure:
            self._send_json(failure.status, failure.body())
        except AppError as error:
            self._send_json(
                422,
                SandboxApiError(
                    422, "SANDBOX.INVALID", error.message, [error.hint] if error.hint else []
                ).body(),
            )
        except Exception as error:  # noqa: BLE001 - a sandbox bug must still answer like EasyPost
            _log.exception("sandbox bug while serving %s %s", method, path)
            bug = SandboxApiError(500, "INTERNAL_SERVER_ERROR", f"Sandbox bug: {error!r}")
            self._send_json(500, bug.body())

    def _api(self, method: str, path: str, body: JsonObj, query: dict[str, list[str]]) -> None:
        sandbox = self.sandbox
        route = sandbox.router.match(method, path)
        if route is None:
            raise not_found()
        op, handler, ids = route
        decision = sandbox.faults.before(op)
        if decision.delay_s > 0:
            sandbox.api.sleep(decision.delay_s)
        if decision.status is not None:
            self._send_fault(decision.status)
            return
        failure = _auth_failure(_api_key(self.headers.get("Authorization", "")))
        if failure is not None:
            raise failure
        key = _api_key(self.headers.get("Authorization", ""))
        sandbox.api.api_key_kind = "no_funds" if key.upper().startswith("EZNOFUNDS") else "valid"
        mutating = method != "GET" or op == "shipment.label"
        try:
            status, result = handler(body, query, *ids)
        except SandboxApiError:
            if mutating:  # a failed create may still have saved its addresses
                sandbox.store.touch(ids)
            raise
        if mutating:
            generation = sandbox.store.touch(_object_ids(result, set(ids)))
        if mutating and op in DURABLE_OPS and status < 300:
            sandbox.store.wait_durable(generation)
        if op == "shipment.buy" and sandbox.faults.take_drop_after_buy():
            # The purchase is committed and saved; the client never hears about it.
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send_json(status, result)

    def _send_fault(self, status: int) -> None:
        if status == 429:
            self._send_json(
                429,
                SandboxApiError(
                    429,
                    "RATE_LIMITED",
                    "Your account has been "
                    "temporarily rate-limited. Please slow down and try "
                    "again later.",
                ).body(),
            )
        elif status == 502:
            self._send(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
        else:
            self._send_json(
                status,
                SandboxApiError(
                    status,
                    "INTERNAL_SERVER_ERROR",
                    "We're sorry, something went wrong. Please try again.",
                ).body(),
            )

    def _file(self, path: str) -> None:
        found = _FILE_PATH.match(path)
        if not found:
            raise not_found()
        kind, object_id, ext = found.groups()
        content = self.sandbox.file_bytes(kind, object_id, ext)
        self._send(200, content, CONTENT_TYPES.get(ext, "application/octet-stream"))

    def _control(self, method: str, path: str, body: JsonObj) -> None:
        sandbox = self.sandbox
        key = (method, path.rstrip("/"))
        if key == ("GET", "/_sandbox/health"):
            self._send_json(200, {"ok": True, "api_base": sandbox.api_base})
        elif key == ("GET", "/_sandbox/ledger"):
            self._send_json(200, {"ledger": sandbox.ledger()})
        elif key == ("GET", "/_sandbox/faults"):
            self._send_json(200, sandbox.faults.config.to_json())
        elif key == ("POST", "/_sandbox/faults"):
            if "spec" in body:
                config = parse_fault_spec(str(body["spec"]), sandbox.faults.config)
            else:
                config = sandbox.faults.config.merged(body)
            sandbox.faults.configure(config)
            self._send_json(200, config.to_json())
        elif key == ("POST", "/_sandbox/faults/reset"):
            sandbox.faults.configure(FaultConfig())
            self._send_json(200, FaultConfig().to_json())
        elif key == ("GET", "/_sandbox/timings"):
            self._send_json(200, sandbox.timings.to_json())
        elif key == ("POST", "/_sandbox/timings"):
            sandbox.set_timings(**{k: float(v) for k, v in body.items()})
            self._send_json(200, sandbox.timings.to_json())
        elif key == ("GET", "/_sandbox/clock"):
            self._send_json(200, {"now": iso_z(sandbox.clock.timestamp())})
        elif key == ("POST", "/_sandbox/clock/advance"):
            sandbox.advance(float(body.get("seconds", 0)))
            self._send_json(200, {"now": iso_z(sandbox.clock.timestamp())})
        else:
            raise not_found()


class SandboxServer:
    """An offline EasyPost on 127.0.0.1, served from a daemon thread.

    >>> with SandboxServer(tmp_path / "state.json") as sandbox:
    ...     client = easypost.EasyPostClient("EZTK_any", api_base=sandbox.api_base)
    """

    def __init__(
        self,
        state_path: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultConfig | None = None,
        clock: SandboxClock | None = None,
        timings: Timings | None = None,
        label_renderer: Callable[[LabelData, LabelFormat], bytes] | None = None,
        request_log: Callable[[str], None] | None = None,
    ) -> None:
        self.host = host
        self.request_log = request_log  # called with "POST /v2/shipments -> 201" per request
        self.requested_port = port
        self.clock = clock or SandboxClock()
        self.timings = timings or Timings()
        self.faults = FaultInjector(faults)
        self.store = SandboxStore(state_path)
        self.files = FileCache(label_renderer)
        self.api = SandboxApi(self.store, self.clock, self.timings, self.faults, self.files)
        self.router = _Router(self.api)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._ticker_stop = threading.Event()
        self._ticker: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> SandboxServer:
        """Serve from daemon threads.

        Raises:
            AppError: when another running sandbox uses the same state file.
        """
        self.store.start()
        handler = type("SandboxRequestHandler", (_RequestHandler,), {"sandbox": self})
        httpd = _Server((self.host, self.requested_port), handler)
        httpd.daemon_threads = True
        self._httpd = httpd
        self.api.files_base = self.base_url
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sandbox-http",
            daemon=True,
        )
        self._thread.start()
        self._ticker = threading.Thread(target=self._tick_loop, name="sandbox-clock", daemon=True)
        self._ticker.start()
        if self.store.path is not None:
            # Other processes on this profile reach this sandbox instead of failing on its lock.
            discovery.advertise(self.store.path, self.api_base)
        return self

    def stop(self) -> None:
        """Stop serving and write the state file."""
        self._ticker_stop.set()
        if self._httpd is not None and self.store.path is not None:
            discovery.withdraw(self.store.path, self.api_base)
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._ticker is not None:
            self._ticker.join(timeout=10)
        self.store.close()

    def __enter__(self) -> SandboxServer:
        return self.start() if self._httpd is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the sandbox is not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """What to pass as EasyPostClient(api_base=...)."""
        return f"{self.base_url}/v2"

    # -- the world ----------------------------------------------------------------------------

    def run_due_events(self) -> None:
        due = self.store.next_due()
        if due is not None and due <= self.clock.timestamp():
            changed = self.api.tick()
            if changed:
                self.store.touch(changed)

    def _tick_loop(self) -> None:
        while not self._ticker_stop.wait(0.1):
            self.run_due_events()

    def advance(self, seconds: float) -> None:
        """Move sandbox time forward and run what became due (trackers, batches, refunds)."""
        self.clock.advance(seconds)
        self.run_due_events()

    def set_timings(self, **changes: float) -> None:
        for name, value in changes.items():
            if name not in {f.name for f in dataclasses.fields(Timings)}:
                raise SandboxApiError(422, "PARAMETER.INVALID", f"Unknown timing {name!r}.")
            setattr(self.timings, name, value)

    def set_faults(self, config: FaultConfig | None = None, **changes: Any) -> None:
        """Replace the fault config, or change some of its fields."""
        base = config or self.faults.config
        self.faults.configure(base.merged(changes) if changes else base)

    def ledger(self) -> list[JsonObj]:
        with self.store.lock:
            return [dict(entry) for entry in self.store.ledger]

    def file_bytes(self, kind: str, object_id: str, ext: str) -> bytes:
        """The bytes of a label, customs form, SCAN form or batch label file."""
        fmt = EXTENSION_FORMATS.get(ext)
        if fmt is None:
            raise not_found()
        store = self.store
        with store.lock:
            if kind in ("postage_label", "form"):
                shipment_id = store.meta.get(object_id, {}).get("shipment_id")
                shipment = store.objects["shipments"].get(shipment_id or "")
                if shipment is None or (kind == "form" and fmt != "PDF"):
                    raise not_found()
                data = label_data_for(shipment)
            elif kind == "scan_form":
                form = store.objects["scan_forms"].get(object_id)
                if form is None or form["status"] != "created" or fmt != "PDF":
                    raise not_found()
                shipments = self.api.scan_form_shipments(object_id)
                form_body: JsonObj = dict(form)
            else:
                batch = store.objects["batches"].get(object_id)
                if batch is None or not batch.get("label_url", "").endswith(f".{ext}"):
                    raise not_found()
                shipments = [
                    s for s in self.api._batch_shipments(object_id) if s.get("postage_label")
                ]
        if kind == "postage_label":
            self.api.sleep(self.faults.slow_label_s)
            return self.files.label(object_id, data, fmt)
        if kind == "form":
            return self.files.get(f"{object_id}.pdf", lambda: render_customs_form(data, "PDF"))
        if kind == "scan_form":
            return self.files.get(f"{object_id}.pdf", lambda: _scan_form_pdf(form_body, shipments))
        datas = [label_data_for(s) for s in shipments]
        return self.files.get(f"{object_id}.{ext}", lambda: self._batch_file(datas, fmt))

    def _batch_file(self, datas: list[LabelData], fmt: str) -> bytes:
        parts = [self.files.label(f"{d.shipment_id}-batch", d, fmt) for d in datas]
        if fmt != "PDF":
            return b"".join(parts)
        import pypdfium2 as pdfium  # merges the per-label PDFs into one file, like EasyPost

        merged = pdfium.PdfDocument.new()
        for part in parts:
            merged.import_pages(pdfium.PdfDocument(part))
        import io

        out = io.BytesIO()
        merged.save(out)
        return out.getvalue()


def _scan_form_pdf(form: JsonObj, shipments: list[JsonObj]) -> bytes:
    created = datetime.fromisoformat(str(form["created_at"]).replace("Z", "+00:00"))
    return render_scan_form_pdf(
        form["id"],
        label_address(shipments[0]["from_address"]),
        [str(s["tracking_code"]) for s in shipments],
        created,
    )
