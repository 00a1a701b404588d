"""The standin process and the control API client behind the fixtures.

Everything here talks to a running standin over its control API (``/_standin/...`` on each
product port, documented in docs/control-api.md) with the standard library only, so the plugin
adds no dependency to a user's test environment beyond pytest.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import ssl
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple, Union

PRODUCTS = ("opmanager", "serviceops", "pmp", "opsmgr")
"""The four products, in the launcher's order."""

# The documented default credentials of the built-in fixtures (README "Default credentials",
# docs/<product>.md "Fixture credentials").
_CREDENTIALS: Dict[str, Dict[str, str]] = {
    "opmanager": {"api_key": "3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b"},
    "serviceops": {
        "client_id": "main-web-app-client",
        "client_secret": "main-web-app-secret",
        "username": "tim@acme.com",
        "password": "123",
    },
    "pmp": {"auth_token": "B9A1809A-5BF7-4459-9ED2-8D4F499CB902"},
    "opsmgr": {
        "public_key": "qzvhwmtx",
        "private_key": "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3",
        "org_id": "5953c5f380eef53887615f99",
        "project_id": "5953c5f380eef53887615f9a",
    },
}

StateDoc = Dict[str, Any]
FixtureSource = Union[str, "os.PathLike[str]", Mapping[str, Any]]


class StandinError(Exception):
    """A control API call failed, or standin could not be started."""


class ControlError(StandinError):
    """A control API call answered with an error status."""

    def __init__(self, method: str, url: str, status: int, body: Any) -> None:
        self.method = method
        self.url = url
        self.status = status
        self.body = body
        message = body.get("message") if isinstance(body, dict) else body
        super().__init__(f"{method} {url}: {status} {message}")


def find_binary(explicit: Optional[str] = None) -> str:
    """The standin binary to run.

    In order: ``explicit`` (``--standin-binary``), the ``STANDIN_BINARY`` environment variable,
    the binary the pytest-standin wheel installed next to this interpreter's scripts, then
    ``standin`` on ``PATH``.

    Raises:
        StandinError: none of them exists.
    """
    for given in (explicit, os.environ.get("STANDIN_BINARY")):
        if given:
            path = Path(given).expanduser()
            if not path.is_file():
                raise StandinError(f"standin binary {given!r} does not exist")
            return str(path.resolve())
    exe = "standin.exe" if sys.platform == "win32" else "standin"
    # Where pip put the wheel's binary: this interpreter's scripts directory, or the user
    # scheme's for `pip install --user`.
    dirs = [sysconfig.get_path("scripts")]
    user = f"{os.name}_user"
    if user in sysconfig.get_scheme_names():
        dirs.append(sysconfig.get_path("scripts", user))
    for directory in dirs:
        candidate = Path(directory) / exe
        if candidate.is_file():
            return str(candidate)
    on_path = shutil.which(exe)
    if on_path:
        return on_path
    raise StandinError(
        "no standin binary: install the pytest-standin wheel, or pass --standin-binary PATH "
        "(or set STANDIN_BINARY)"
    )


def _load_fixture(product: str, source: FixtureSource) -> StateDoc:
    if isinstance(source, Mapping):
        copy: StateDoc = json.loads(json.dumps(source))  # a deep copy, JSON-clean
        return copy
    path = Path(source)
    if path.is_dir():
        path = path / f"{product}.json"
    try:
        with path.open(encoding="utf-8") as handle:
            doc = json.load(handle)
    except (OSError, ValueError) as err:
        raise StandinError(f"fixtures for {product}: {path}: {err}") from err
    if not isinstance(doc, dict):
        raise StandinError(f"fixtures for {product}: {path}: not a JSON object")
    return doc


def load_fixtures(
    directory: Optional[FixtureSource] = None, **per_product: FixtureSource
) -> Dict[str, StateDoc]:
    """Custom fixture documents, keyed by product.

    ``directory`` holds ``<product>.json`` files (the launcher's ``--fixtures DIR`` layout);
    a product missing there keeps its built-in fixtures. Keyword arguments name one product
    each and give a path to a JSON file or the document itself; they win over the directory.
    """
    docs: Dict[str, StateDoc] = {}
    unknown = sorted(set(per_product) - set(PRODUCTS))
    if unknown:
        raise StandinError(f"standin_fixtures: unknown product(s) {', '.join(unknown)}")
    if directory is not None:
        base = Path(directory)  # type: ignore[arg-type]
        if not base.is_dir():
            raise StandinError(f"standin_fixtures: {base} is not a directory")
        for product in PRODUCTS:
            if (base / f"{product}.json").is_file():
                docs[product] = _load_fixture(product, base)
    for product, source in per_product.items():
        docs[product] = _load_fixture(product, source)
    return docs


class _Control:
    """HTTP calls to the control API, trusting the served certificate."""

    def __init__(self, verify: Optional[str]) -> None:
        self._context = ssl.create_default_context(cafile=verify) if verify else None

    def call(
        self,
        method: str,
        base: str,
        path: str,
        body: Any = None,
        query: Optional[Mapping[str, Any]] = None,
        expect: Tuple[int, ...] = (200, 201),
    ) -> Any:
        url = f"{base}/_standin/{path}"
        if query:
            url += "?" + urllib.parse.urlencode({k: _query_value(v) for k, v in query.items()})
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60, context=self._context) as res:
                status, raw = res.status, res.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        except (urllib.error.URLError, OSError) as err:
            raise StandinError(f"{method} {url}: {err}") from err
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        if status not in expect:
            raise ControlError(method, url, status, parsed)
        return parsed


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Instance:
    """One isolated world of the four products: the main instance or a tenant.

    Every method takes a product name: ``"opmanager"``, ``"serviceops"``, ``"pmp"`` or
    ``"opsmgr"``; those with ``product=None`` act on all four.
    """

    def __init__(
        self,
        urls: Mapping[str, str],
        verify: str,
        fixtures: Mapping[str, StateDoc],
        control: _Control,
        main: Optional[Mapping[str, str]] = None,
    ) -> None:
        self._urls = dict(urls)
        self._main = dict(main if main is not None else urls)
        self._verify = verify
        self._fixtures = dict(fixtures)
        self._control = control

    # -- where and who ---------------------------------------------------------------------

    def url(self, product: str) -> str:
        """The product's base URL, e.g. ``https://127.0.0.1:41234`` for ``"pmp"``."""
        return self._urls[_product(product)]

    def credentials(self, product: str) -> Dict[str, str]:
        """The documented default credentials of the built-in fixtures (a fresh copy).

        opmanager ``api_key``; serviceops ``client_id``, ``client_secret``, ``username``,
        ``password``; pmp ``auth_token``; opsmgr ``public_key``, ``private_key``, ``org_id``,
        ``project_id``.
        """
        return dict(_CREDENTIALS[_product(product)])

    @property
    def verify(self) -> str:
        """Path of the served certificate (PEM): pass it as ``verify=`` to requests, httpx, pypmp."""
        return self._verify

    @property
    def products(self) -> Tuple[str, ...]:
        """The product names, in the launcher's order."""
        return PRODUCTS

    # -- the control API -------------------------------------------------------------------

    def _call(self, product: str, method: str, path: str, **kwargs: Any) -> Any:
        return self._control.call(method, self.url(product), path, **kwargs)

    def _each(self, product: Optional[str]) -> List[str]:
        return list(PRODUCTS) if product is None else [_product(product)]

    def reset(self, product: Optional[str] = None) -> None:
        """Back to the fixtures (custom ones if the test asked for them): store, clock, fault
        rules and rate limits; the request journal is emptied too."""
        for name in self._each(product):
            self._call(name, "POST", "reset")
            self._call(name, "DELETE", "requests")
            if name in self._fixtures:
                self.set_state(name, self._fixtures[name])

    def advance(self, seconds: float, product: Optional[str] = None) -> Any:
        """Move the instance clock forward (of one product, or of all four).

        Returns the product's clock state (``{"now": ..., "now_ms": ..., "frozen": ...}``), or
        with ``product=None`` a dict of them keyed by product.
        """
        body = {"advance_ms": int(round(seconds * 1000))}
        states = {name: self._call(name, "POST", "clock", body=body) for name in self._each(product)}
        return states if product is None else states[_product(product)]

    def clock(self, product: str) -> Dict[str, Any]:
        """The product's clock state."""
        return dict(self._call(product, "GET", "clock"))

    def fault(self, product: str, **rule: Any) -> str:
        """Add a fault rule (the control API's fields: ``method``, ``path``, ``operation``,
        ``principal``, ``probability``, ``times``, ``after``, ``action``, ``status``,
        ``delay_ms``, ``bytes``) and return its id."""
        return str(self._call(product, "POST", "faults", body=rule)["id"])

    def faults(self, product: str) -> List[Dict[str, Any]]:
        """The product's live fault rules."""
        return list(self._call(product, "GET", "faults")["faults"])

    def rate_limit(self, product: str, **limit: Any) -> str:
        """Add a rate limit (``per``, ``operation``, ``capacity``, ``refill_per_sec``) and
        return its id."""
        return str(self._call(product, "POST", "rate-limits", body=limit)["id"])

    def rate_limits(self, product: str) -> List[Dict[str, Any]]:
        """The product's rate limits."""
        return list(self._call(product, "GET", "rate-limits")["rate_limits"])

    def requests(self, product: str, **filters: Any) -> List[Dict[str, Any]]:
        """Journal entries as the control API returns them, oldest first (newest last).

        Filters: ``method``, ``path`` (a prefix), ``status``, ``operation``, ``principal``,
        ``since``, ``limit``.
        """
        return list(self._call(product, "GET", "requests", query=filters)["requests"])

    def state(self, product: str) -> StateDoc:
        """The product's whole state, in its fixture format."""
        return dict(self._call(product, "GET", "state"))

    def set_state(self, product: str, doc: Mapping[str, Any]) -> None:
        """Replace the product's state with ``doc`` (its fixture format); a bad document
        changes nothing and raises :class:`ControlError` naming the field."""
        self._call(product, "PUT", "state", body=dict(doc))

    @contextlib.contextmanager
    def tenant(self) -> Iterator["Tenant"]:
        """An isolated instance of all four products (own store, clock, journal, fault rules,
        rate limits and ports) with this same API, deleted on exit. It starts from the same
        fixtures as this test (custom ones included)."""
        ids: Dict[str, str] = {}
        urls: Dict[str, str] = {}
        try:
            for name in PRODUCTS:
                body = {"state": self._fixtures[name]} if name in self._fixtures else None
                made = self._control.call("POST", self._main[name], "tenants", body=body)
                ids[name] = str(made["id"])
                urls[name] = str(made["url"]).rstrip("/")
            yield Tenant(self._main, ids, urls, self._verify, self._fixtures, self._control)
        finally:
            for name, tid in ids.items():
                with contextlib.suppress(StandinError):
                    self._control.call(
                        "DELETE", self._main[name], f"tenants/{tid}", expect=(200, 204, 404)
                    )


class Tenant(Instance):
    """A tenant of each product: the same API as the main instance, on its own ports.
    ``tenant()`` on a tenant makes a sibling tenant."""

    def __init__(
        self,
        main: Mapping[str, str],
        ids: Mapping[str, str],
        urls: Mapping[str, str],
        verify: str,
        fixtures: Mapping[str, StateDoc],
        control: _Control,
    ) -> None:
        super().__init__(urls, verify, fixtures, control, main=main)
        self.ids: Dict[str, str] = dict(ids)
        """The tenant id of each product (``X-Standin-Tenant: <id>`` on the main port)."""


class Standin(Instance):
    """The main instance of a running standin (what the ``standin`` fixture yields)."""

    def tenants(self, product: str) -> List[Dict[str, Any]]:
        """The product's live tenants, as the control API lists them."""
        return list(self._call(product, "GET", "tenants")["tenants"])

    def clean(self, fixtures: Optional[Mapping[str, StateDoc]] = None) -> "Standin":
        """Delete leftover tenants, then reset every product (emptying its journal) and load
        ``fixtures`` where given: what the ``standin`` fixture does before each test. Returns
        the instance to hand to the test."""
        fresh = Standin(self._urls, self._verify, fixtures or {}, self._control)
        for name in PRODUCTS:
            for tenant in self.tenants(name):
                self._call(name, "DELETE", f"tenants/{tenant['id']}", expect=(200, 204, 404))
        fresh.reset()
        return fresh


def _product(name: str) -> str:
    if name not in PRODUCTS:
        raise ValueError(
            f"unknown standin product {name!r} (expected one of {', '.join(PRODUCTS)})"
        )
    return name


class Process:
    """A standin process serving all four products on ephemeral ports."""

    def __init__(self, binary: str, workdir: Path, startup_timeout: float = 60.0) -> None:
        self.binary = binary
        self.workdir = workdir
        self.ready_file = workdir / "ready.json"
        self.cert_file = workdir / "standin-cert.pem"
        self.log_file = workdir / "standin.log"
        args = [binary]
        for name in PRODUCTS:
            args += [f"--port-{name}", "0"]
        args += ["--ready-file", str(self.ready_file), "--tls-cert-out", str(self.cert_file)]
        self.args = args
        with self.log_file.open("wb") as log:
            try:
                self._proc: Optional[subprocess.Popen[bytes]] = subprocess.Popen(
                    args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
                )
            except OSError as err:
                self._proc = None
                raise StandinError(f"standin: cannot run {binary}: {err}") from err
        self.urls = self._wait_ready(startup_timeout)

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    def _wait_ready(self, timeout: float) -> Dict[str, str]:
        assert self._proc is not None
        deadline = time.monotonic() + timeout
        while True:
            code = self._proc.poll()
            if code is not None:
                raise StandinError(self._failure_line(code))
            if self.ready_file.is_file():
                try:
                    urls = json.loads(self.ready_file.read_text(encoding="utf-8"))
                except ValueError:
                    urls = None  # written atomically, so not yet
                if isinstance(urls, dict) and all(p in urls for p in PRODUCTS):
                    return {p: str(urls[p]).rstrip("/") for p in PRODUCTS}
            if time.monotonic() > deadline:
                self.stop()
                raise StandinError(f"standin did not become ready within {timeout:.0f} s")
            time.sleep(0.01)

    def exited(self) -> Optional[str]:
        """None while the process runs, else its last error line."""
        if self._proc is None:
            return "standin never started"
        code = self._proc.poll()
        return None if code is None else self._failure_line(code)

    def _failure_line(self, code: int) -> str:
        text = self.log_file.read_text(encoding="utf-8", errors="replace")
        lines = [line for line in text.splitlines() if line.strip()]
        own = [line for line in lines if line.startswith("standin")]
        line = own[-1] if own else (lines[-1] if lines else f"no output, exit status {code}")
        return line

    def stop(self) -> None:
        if self._proc is None or self._proc.poll() is not None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
