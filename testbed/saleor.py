"""A real Saleor 3.23.28 on this machine, for the live test tier.

Only the source tarball comes from outside (`SALEOR_SOURCE`, the path of saleor-3.23.28.tar.gz);
everything else is built here, once per tarball, and cached:

    <cache>/<sha>/src/saleor-3.23.28   the unpacked source
    <cache>/<sha>/venv                 Python 3.12 with the pinned requirements (installed with uv)
    <cache>/<sha>/rsa.pem              a fixed signing key: tokens and the JWKS survive restarts
    <cache>/<sha>/logs/                build log and one log per server run
    saleor_testbed_tpl_<sha>           PostgreSQL database: migrated, with the staff user

`<cache>` is `instance/saleor-testbed` of the repository unless `SALEOR_TESTBED_DIR` says
otherwise; `<sha>` is the start of the tarball's sha256. The template database is migrated once
(several minutes) and marked ready; each start copies it (`CREATE DATABASE ... TEMPLATE`), runs
uvicorn on a free port and takes a staff token. Stopping kills the server and drops its database.

There is no Celery broker, so Saleor runs its tasks in-process: webhooks are delivered, and apps
installed, during the request that causes them.

Other settings (environment):
    SALEOR_TESTBED_POSTGRES  PostgreSQL server to create the databases on, as an URL
                             (default postgresql://postgres@127.0.0.1:5432/postgres)
    SALEOR_PYTHON            a Python 3.12 interpreter (default: python3.12 on PATH, else pyenv's)

Command line: `python -m testbed.saleor start|stop|status` runs one server in the background
(its details in `<cache>/cli-run.json`).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests

SALEOR_VERSION = "3.23.28"
REQUIREMENTS = Path(__file__).with_name(f"saleor-{SALEOR_VERSION}.requirements.txt")
# Not in Saleor's lock but needed at start-up: a core plugin imports pytest and pkg_resources.
EXTRA_PACKAGES = ("pytest==9.2.0", "setuptools==80.10.2")
UV = "uv==0.13.9"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
STAFF_EMAIL = "admin@example.com"
STAFF_PASSWORD = "admin-pass-123"
SECRET_KEY = "saleor-testbed-secret"
TEMPLATE_READY = f"saleor-testbed template ready ({SALEOR_VERSION})"
RUN_PREFIX = "saleor_testbed_run_"
ADDRESS = {
    "firstName": "Test",
    "lastName": "Buyer",
    "companyName": "Backorders Test",
    "streetAddress1": "1600 Amphitheatre Pkwy",
    "city": "MOUNTAIN VIEW",
    "countryArea": "CA",
    "postalCode": "94043",
    "country": "US",
    "phone": "+16502530000",
}

Log = Callable[[str], None]


class TestbedError(RuntimeError):
    """The test bed cannot be built or started; the message says what is missing."""

    __test__ = False  # not a test class, whatever pytest thinks of its name


class GraphQLError(RuntimeError):
    """Saleor answered a GraphQL request with errors (top-level, or a mutation's `errors`)."""

    def __init__(self, message: str, errors: list, data: dict | None = None):
        super().__init__(message)
        self.errors = errors
        self.data = data


class AppInstallError(RuntimeError):
    """Saleor could not install an app; the message is Saleor's."""


def _stderr(message: str) -> None:
    print(f"saleor testbed: {message}", file=sys.stderr, flush=True)


def repo_root() -> Path:
    root = Path(__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").exists() else Path.cwd()


def cache_base() -> Path:
    configured = os.environ.get("SALEOR_TESTBED_DIR")
    return Path(configured).resolve() if configured else repo_root() / "instance" / "saleor-testbed"


def source_tarball(source: str | os.PathLike | None = None) -> Path:
    value = source if source is not None else os.environ.get("SALEOR_SOURCE")
    if not value:
        raise TestbedError(
            f"SALEOR_SOURCE is not set: give the path of saleor-{SALEOR_VERSION}.tar.gz"
        )
    path = Path(value).expanduser().resolve()
    if not path.is_file():
        raise TestbedError(f"Saleor source tarball not found: {path} (from SALEOR_SOURCE)")
    return path


def postgres_url() -> str:
    return os.environ.get("SALEOR_TESTBED_POSTGRES") or DEFAULT_POSTGRES


def _connect(url: str | None = None) -> psycopg.Connection:
    url = url or postgres_url()
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        raise TestbedError(
            f"PostgreSQL is not reachable at {_redact(url)} (set SALEOR_TESTBED_POSTGRES to a "
            f"server where this user may create databases): {str(exc).strip()}"
        ) from exc


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _database_url(database: str, server: str | None = None) -> str:
    """The URL Saleor is given for a database on the test bed's PostgreSQL server."""
    parts = urlsplit(server or postgres_url())
    netloc = parts.netloc
    if "@" not in netloc:  # Saleor's dj-database-url needs a user; libpq took the login name
        netloc = f"{os.environ.get('PGUSER') or 'postgres'}@{netloc}"
    return urlunsplit(("postgres", netloc, f"/{database}", "", ""))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _database_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def _database_comment(conn: psycopg.Connection, name: str) -> str | None:
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        (name,),
    ).fetchone()
    return row[0] if row else None


def _comment_database(conn: psycopg.Connection, name: str, comment: str) -> None:
    literal = "'" + comment.replace("'", "''") + "'"
    conn.execute(f"COMMENT ON DATABASE {_quote(name)} IS {literal}")


def _drop_database(conn: psycopg.Connection, name: str) -> None:
    conn.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _run_comment(pid: int) -> str:
    return f"saleor-testbed run host={socket.gethostname()} pid={pid}"


def _drop_stale_runs(conn: psycopg.Connection, log: Log) -> None:
    """Drop run databases whose server is gone (a session that crashed did not drop its own)."""
    rows = conn.execute(
        "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
        "WHERE datname LIKE %s",
        (RUN_PREFIX.replace("_", r"\_") + "%",),
    ).fetchall()
    host = f"host={socket.gethostname()} "
    for name, comment in rows:
        if not comment or host not in comment or " pid=" not in comment:
            continue
        try:
            pid = int(comment.rsplit("pid=", 1)[1])
        except ValueError:
            continue
        if not _pid_alive(pid):
            log(f"dropping {name}, left by server {pid} that is gone")
            with contextlib.suppress(psycopg.Error):
                _drop_database(conn, name)


def find_python312() -> str:
    """A Python 3.12 interpreter: SALEOR_PYTHON, else python3.12 on PATH, else pyenv's 3.12.x."""
    candidates: list[str] = []
    if os.environ.get("SALEOR_PYTHON"):
        candidates.append(os.environ["SALEOR_PYTHON"])
    if shutil.which("python3.12"):
        candidates.append(shutil.which("python3.12"))
    pyenv = shutil.which("pyenv")
    roots = [Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"]
    if pyenv:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            versions = subprocess.run(
                [pyenv, "versions", "--bare"], capture_output=True, text=True, timeout=30
            ).stdout.split()
            for version in sorted((v for v in versions if v.startswith("3.12")), reverse=True):
                prefix = subprocess.run(
                    [pyenv, "prefix", version], capture_output=True, text=True, timeout=30
                ).stdout.strip()
                if prefix:
                    candidates.append(str(Path(prefix) / "bin" / "python"))
    for root in roots:
        if root.is_dir():
            candidates.extend(str(p / "bin" / "python") for p in sorted(root.glob("3.12*"), reverse=True))
    for candidate in candidates:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True, text=True, timeout=30,
            ).stdout.strip()
            if out == "3.12":
                return candidate
    raise TestbedError(
        f"no Python 3.12 found: Saleor {SALEOR_VERSION} needs it (install it with "
        "`pyenv install 3.12`, put python3.12 on PATH, or set SALEOR_PYTHON)"
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class Build:
    """A built Saleor: source, virtual environment and migrated template database."""

    root: Path
    source_dir: Path
    venv: Path
    template: str
    sha: str
    rsa_key: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def env(self, database: str, public_url: str | None = None) -> dict[str, str]:
        """The environment Saleor runs in (a clean one: nothing of the caller's leaks in)."""
        env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")
               if k in os.environ}
        env.update({
            "DJANGO_SETTINGS_MODULE": "saleor.settings",
            "DATABASE_URL": _database_url(database),
            "SECRET_KEY": SECRET_KEY,
            "DEBUG": "True",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "HTTP_IP_FILTER_ALLOW_LOOPBACK_IPS": "True",  # let Saleor call apps on 127.0.0.1
            "SEND_USAGE_TELEMETRY": "False",
            "JWT_TTL_ACCESS": "1 day",  # one staff token lasts a whole test session
            "RSA_PRIVATE_KEY": self.rsa_key.read_text(),
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        })
        if public_url:
            env["PUBLIC_URL"] = public_url
        return env


def build(source: str | os.PathLike | None = None, cache_dir: str | os.PathLike | None = None,
          log: Log = _stderr) -> Build:
    """Build the test bed once per tarball (cached): unpack, venv, requirements, template database.

    Raises TestbedError naming what is missing (tarball, Python 3.12, PostgreSQL)."""
    tarball = source_tarball(source)
    if not REQUIREMENTS.is_file():
        raise TestbedError(f"pinned requirements missing: {REQUIREMENTS}")
    sha = _sha256(tarball)[:12]
    root = Path(cache_dir).resolve() if cache_dir else cache_base() / sha
    root.mkdir(parents=True, exist_ok=True)
    (root / "logs").mkdir(exist_ok=True)
    build_log = root / "logs" / "build.log"
    template = f"saleor_testbed_tpl_{sha}"
    _connect().close()  # fail early, before minutes of work, when PostgreSQL is not there
    with _file_lock(root / ".build.lock"):
        source_dir = _unpack(tarball, root, log)
        venv = _venv(root, build_log, log)
        rsa_key = root / "rsa.pem"
        if not rsa_key.exists():
            _write_rsa_key(rsa_key)
        result = Build(root=root, source_dir=source_dir, venv=venv, template=template, sha=sha,
                       rsa_key=rsa_key)
        _template_database(result, build_log, log)
    return result


def _unpack(tarball: Path, root: Path, log: Log) -> Path:
    target = root / "src"
    if not target.is_dir():
        log(f"unpacking {tarball.name}")
        partial = root / f"src.partial-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        with tarfile.open(tarball) as tar:
            tar.extractall(partial, filter="data")
        partial.rename(target)
    found = [p.parent for p in target.glob("*/manage.py")]
    if len(found) != 1:
        raise TestbedError(f"{tarball} does not hold one Saleor source tree (manage.py)")
    return found[0]


def _venv(root: Path, build_log: Path, log: Log) -> Path:
    venv = root / "venv"
    wanted = hashlib.sha256(
        REQUIREMENTS.read_bytes() + " ".join((UV, *EXTRA_PACKAGES)).encode()
    ).hexdigest()[:16]
    stamp = venv / f".testbed-installed-{wanted}"
    if stamp.exists():
        return venv
    python = find_python312()
    log(f"creating the Saleor virtual environment with {python}")
    shutil.rmtree(venv, ignore_errors=True)
    steps = [
        [python, "-m", "venv", str(venv)],
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", UV],
        [str(venv / "bin" / "uv"), "pip", "install", "--python", str(venv / "bin" / "python"),
         "--quiet", "-r", str(REQUIREMENTS), *EXTRA_PACKAGES],
    ]
    for step in steps:
        _run(step, build_log, what="installing Saleor's requirements")
    stamp.touch()
    return venv


def _run(cmd: list[str], build_log: Path, what: str, **kwargs) -> None:
    with build_log.open("a") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        result = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, **kwargs)
    if result.returncode != 0:
        raise TestbedError(
            f"{what} failed (exit {result.returncode}); last lines of {build_log}:\n"
            f"{_tail(build_log)}"
        )


def _write_rsa_key(path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    partial = path.with_suffix(".partial")
    partial.write_bytes(pem)
    partial.rename(path)


def _template_database(b: Build, build_log: Path, log: Log) -> None:
    with _connect() as conn:
        # One builder per template at a time, whatever cache folder it builds in.
        lock = int(b.sha[:15], 16)
        conn.execute("SELECT pg_advisory_lock(%s)", (lock,))
        try:
            if _database_exists(conn, b.template) and \
                    _database_comment(conn, b.template) == TEMPLATE_READY:
                return
            log(f"migrating a new template database {b.template}: several minutes, once")
            started = time.monotonic()
            _drop_database(conn, b.template)
            conn.execute(f"CREATE DATABASE {_quote(b.template)}")
            env = b.env(b.template)
            _run([str(b.python), "manage.py", "migrate", "--no-input"], build_log,
                 what="migrating Saleor's database", cwd=b.source_dir, env=env)
            env.update(DJANGO_SUPERUSER_EMAIL=STAFF_EMAIL, DJANGO_SUPERUSER_PASSWORD=STAFF_PASSWORD)
            _run([str(b.python), "manage.py", "createsuperuser", "--noinput"], build_log,
                 what="creating Saleor's staff user", cwd=b.source_dir, env=env)
            _comment_database(conn, b.template, TEMPLATE_READY)
            log(f"template database ready in {time.monotonic() - started:.0f} s")
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (lock,))


@dataclass
class Store:
    """What the seed helpers made: a channel selling from one warehouse, with shipping."""

    channel_id: str
    channel_slug: str
    warehouse_id: str
    shipping_method_id: str | None
    product_type_id: str
    category_id: str


@dataclass
class Product:
    id: str
    variants: dict[str, str] = field(default_factory=dict)  # sku -> variant id


class Saleor:
    """A running Saleor test bed: a server on its own port and its own database."""

    def __init__(self, b: Build, port: int, database: str, process: subprocess.Popen | None,
                 pid: int, log_path: Path, token: str | None = None):
        self.build = b
        self.port = port
        self.database = database
        self.process = process
        self.pid = pid
        self.log_path = log_path
        self.token = token
        self._stopped = False

    # -- where it is ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The GraphQL endpoint, exactly as Saleor names itself (`Saleor-Api-Url`)."""
        return f"{self.url}/graphql/"

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/.well-known/jwks.json"

    # -- life cycle -------------------------------------------------------------------------
    @classmethod
    def start(cls, source: str | os.PathLike | None = None, *, log: Log = _stderr,
              timeout: float = 180.0) -> Saleor:
        """Build if needed, copy the template into a fresh database, run the server, log in."""
        b = build(source, log=log)
        database = f"{RUN_PREFIX}{b.sha[:8]}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with _connect() as conn:
            _drop_stale_runs(conn, log)
            try:
                conn.execute(
                    f"CREATE DATABASE {_quote(database)} TEMPLATE {_quote(b.template)}"
                )
            except psycopg.Error as exc:
                raise TestbedError(
                    f"could not copy the template database {b.template}: {str(exc).strip()}"
                ) from exc
            _comment_database(conn, database, _run_comment(os.getpid()))
        port = _free_port()
        log_path = b.root / "logs" / f"{database}.log"
        try:
            with log_path.open("w") as out:
                process = subprocess.Popen(
                    [str(b.venv / "bin" / "uvicorn"), "saleor.asgi:application",
                     "--host", "127.0.0.1", "--port", str(port)],
                    cwd=b.source_dir, env=b.env(database, f"http://127.0.0.1:{port}"),
                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    start_new_session=True,  # its own process group: stop() ends all of it
                )
        except BaseException:
            with _connect() as conn:
                _drop_database(conn, database)
            raise
        with _connect() as conn:
            _comment_database(conn, database, _run_comment(process.pid))
        saleor = cls(b, port, database, process, process.pid, log_path)
        atexit.register(saleor.stop)
        try:
            saleor._wait_ready(timeout)
            saleor.token = saleor.staff_token()
        except BaseException:
            saleor.stop()
            raise
        return saleor

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise TestbedError(
                    f"Saleor exited (code {self.process.returncode}) before answering; "
                    f"last lines of {self.log_path}:\n{_tail(self.log_path)}"
                )
            try:
                r = requests.post(self.api_url, json={"query": "{ shop { name } }"}, timeout=10)
                if r.status_code == 200 and r.json().get("data", {}).get("shop"):
                    return
                last = f"HTTP {r.status_code}: {r.text[:200]}"
            except (requests.RequestException, ValueError) as exc:
                last = str(exc)
            time.sleep(0.5)
        raise TestbedError(
            f"Saleor did not answer at {self.api_url} within {timeout:.0f} s ({last}); "
            f"last lines of {self.log_path}:\n{_tail(self.log_path)}"
        )

    def stop(self) -> None:
        """Kill the server (its whole process group) and drop its database. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self._running():
                time.sleep(0.1)
            if self._running():
                os.killpg(self.pid, signal.SIGKILL)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)
        with contextlib.suppress(TestbedError, psycopg.Error), _connect() as conn:
            _drop_database(conn, self.database)

    def _running(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        return _pid_alive(self.pid)

    def __enter__(self) -> Saleor:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- GraphQL ----------------------------------------------------------------------------
    def graphql(self, query: str, variables: Mapping[str, Any] | None = None,
                token: str | None = None, *, check: bool = True, timeout: float = 120) -> dict:
        """POST a GraphQL operation; returns `data`.

        `token=None` sends the staff token; pass an app token to act as the app, or "" for an
        anonymous request. Raises GraphQLError on top-level `errors` and, with `check`, when a
        mutation's payload has a non-empty `errors` list."""
        token = self.token if token is None else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = requests.post(self.api_url, json={"query": query, "variables": dict(variables or {})},
                          headers=headers, timeout=(5, timeout))
        try:
            body = r.json()
        except ValueError:
            raise GraphQLError(f"HTTP {r.status_code} from Saleor: {r.text[:500]}", []) from None
        data = body.get("data")
        if body.get("errors"):
            messages = "; ".join(e.get("message", str(e)) for e in body["errors"])
            raise GraphQLError(f"GraphQL errors: {messages}", body["errors"], data)
        if data is None:
            raise GraphQLError(f"HTTP {r.status_code} from Saleor without data: {body}", [])
        if check:
            for name, payload in data.items():
                if isinstance(payload, dict) and payload.get("errors"):
                    raise GraphQLError(f"{name}: {payload['errors']}", payload["errors"], data)
        return data

    def staff_token(self, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD) -> str:
        data = self.graphql(
            "mutation($email: String!, $password: String!) {"
            " tokenCreate(email: $email, password: $password) {"
            "  token errors { field code message } } }",
            {"email": email, "password": password}, token="",
        )
        return data["tokenCreate"]["token"]

    # -- seeding ----------------------------------------------------------------------------
    def create_warehouse(self, name: str | None = None) -> str:
        name = name or f"Warehouse {uuid.uuid4().hex[:6]}"
        data = self.graphql(
            "mutation($input: WarehouseCreateInput!) { createWarehouse(input: $input) {"
            " errors { field code message } warehouse { id } } }",
            {"input": {"name": name, "email": "warehouse@example.com", "address": ADDRESS}},
        )
        return data["createWarehouse"]["warehouse"]["id"]

    def create_channel(self, warehouse_ids: Iterable[str], slug: str | None = None,
                       currency: str = "USD", country: str = "US") -> str:
        """An active channel selling from the warehouses (in their order).

        `isActive` is what staff orders need: channels are created inactive, and
        draftOrderComplete refuses an inactive one (CHANNEL_INACTIVE). No payment is needed to
        complete a draft, nor to fulfil (the shop's `fulfillmentAllowUnpaid` is on by default).
        `automaticallyConfirmAllNewOrders` (on by default) makes completed orders UNFULFILLED
        rather than UNCONFIRMED. `allowUnpaidOrders` (off by default) only matters to
        checkoutComplete; it is set so that checkouts complete unpaid too."""
        slug = slug or f"test-{uuid.uuid4().hex[:8]}"
        data = self.graphql(
            "mutation($input: ChannelCreateInput!) { channelCreate(input: $input) {"
            " errors { field code message } channel { id slug } } }",
            {"input": {
                "name": slug, "slug": slug, "currencyCode": currency, "defaultCountry": country,
                "isActive": True,
                "addWarehouses": list(warehouse_ids),
                "stockSettings": {"allocationStrategy": "PRIORITIZE_SORTING_ORDER"},
                "orderSettings": {
                    "automaticallyConfirmAllNewOrders": True,
                    "allowUnpaidOrders": True,
                    "markAsPaidStrategy": "TRANSACTION_FLOW",
                },
            }},
        )
        return data["channelCreate"]["channel"]["id"]

    def create_shipping(self, channel_id: str, warehouse_ids: Iterable[str],
                        countries: Iterable[str] = ("US",), price: str = "0") -> str:
        """A shipping zone serving the channel from the warehouses, and a free method in it."""
        zone = self.graphql(
            "mutation($input: ShippingZoneCreateInput!) { shippingZoneCreate(input: $input) {"
            " errors { field code message } shippingZone { id } } }",
            {"input": {"name": f"Zone {uuid.uuid4().hex[:6]}", "countries": list(countries),
                       "addWarehouses": list(warehouse_ids), "addChannels": [channel_id]}},
        )["shippingZoneCreate"]["shippingZone"]["id"]
        method = self.graphql(
            "mutation($input: ShippingPriceInput!) { shippingPriceCreate(input: $input) {"
            " errors { field code message } shippingMethod { id } } }",
            {"input": {"name": "Standard", "type": "PRICE", "shippingZone": zone}},
        )["shippingPriceCreate"]["shippingMethod"]["id"]
        self.graphql(
            "mutation($id: ID!, $input: ShippingMethodChannelListingInput!) {"
            " shippingMethodChannelListingUpdate(id: $id, input: $input) {"
            "  errors { field code message } shippingMethod { id } } }",
            {"id": method, "input": {"addChannels": [{"channelId": channel_id, "price": price}]}},
        )
        return method

    def create_product_type(self, shipping_required: bool = True, name: str | None = None) -> str:
        name = name or f"Type {uuid.uuid4().hex[:6]}"
        data = self.graphql(
            "mutation($input: ProductTypeInput!) { productTypeCreate(input: $input) {"
            " errors { field code message } productType { id } } }",
            {"input": {"name": name, "kind": "NORMAL", "isShippingRequired": shipping_required}},
        )
        return data["productTypeCreate"]["productType"]["id"]

    def create_category(self, name: str | None = None) -> str:
        name = name or f"Category {uuid.uuid4().hex[:6]}"
        data = self.graphql(
            "mutation($input: CategoryInput!) { categoryCreate(input: $input) {"
            " errors { field code message } category { id } } }",
            {"input": {"name": name}},
        )
        return data["categoryCreate"]["category"]["id"]

    def seed_store(self, shipping_required: bool = True) -> Store:
        """A warehouse, a USD channel selling from it, shipping (when products need it), a
        product type and a category: everything `create_product` and `place_order` need."""
        warehouse = self.create_warehouse()
        channel = self.create_channel([warehouse])
        slug = self.graphql("query($id: ID!) { channel(id: $id) { slug } }",
                            {"id": channel})["channel"]["slug"]
        method = self.create_shipping(channel, [warehouse]) if shipping_required else None
        return Store(channel_id=channel, channel_slug=slug, warehouse_id=warehouse,
                     shipping_method_id=method,
                     product_type_id=self.create_product_type(shipping_required),
                     category_id=self.create_category())

    def create_product(self, store: Store, name: str, variants: Mapping[str, int], *,
                       track_inventory: bool = False, price: str = "10.00") -> Product:
        """A product published in the store's channel, with one variant per SKU, each priced and
        holding the given stock quantity in the store's warehouse."""
        product_id = self.graphql(
            "mutation($input: ProductCreateInput!) { productCreate(input: $input) {"
            " errors { field code message } product { id } } }",
            {"input": {"name": name, "productType": store.product_type_id,
                       "category": store.category_id}},
        )["productCreate"]["product"]["id"]
        self.graphql(
            "mutation($id: ID!, $input: ProductChannelListingUpdateInput!) {"
            " productChannelListingUpdate(id: $id, input: $input) {"
            "  errors { field code message } product { id } } }",
            {"id": product_id, "input": {"updateChannels": [{
                "channelId": store.channel_id, "isPublished": True, "visibleInListings": True,
                "isAvailableForPurchase": True}]}},
        )
        product = Product(id=product_id)
        for sku, quantity in variants.items():
            product.variants[sku] = self.create_variant(
                store, product_id, sku, quantity, track_inventory=track_inventory, price=price)
        return product

    def create_variant(self, store: Store, product_id: str, sku: str, quantity: int, *,
                       track_inventory: bool = False, price: str = "10.00") -> str:
        variant = self.graphql(
            "mutation($input: ProductVariantCreateInput!) { productVariantCreate(input: $input) {"
            " errors { field code message } productVariant { id } } }",
            {"input": {"product": product_id, "sku": sku, "name": sku, "attributes": [],
                       "trackInventory": track_inventory,
                       "stocks": [{"warehouse": store.warehouse_id, "quantity": quantity}]}},
        )["productVariantCreate"]["productVariant"]["id"]
        self.graphql(
            "mutation($id: ID!, $input: [ProductVariantChannelListingAddInput!]!) {"
            " productVariantChannelListingUpdate(id: $id, input: $input) {"
            "  errors { field code message } variant { id } } }",
            {"id": variant, "input": [{"channelId": store.channel_id, "price": price}]},
        )
        return variant

    # -- orders and stock -------------------------------------------------------------------
    def place_order(self, store: Store, lines: Iterable[tuple[str, int]], *,
                    email: str = "buyer@example.com") -> str:
        """An order placed by staff: draftOrderCreate, then draftOrderComplete. Returns its id.

        Lines are (variant id, quantity). The store's channel confirms it at once (UNFULFILLED);
        no payment is needed. Fires ORDER_CREATED (and ORDER_CONFIRMED) to installed apps."""
        draft = {
            "channelId": store.channel_id,
            "userEmail": email,
            "billingAddress": ADDRESS,
            "lines": [{"variantId": v, "quantity": q} for v, q in lines],
        }
        if store.shipping_method_id:
            draft["shippingAddress"] = ADDRESS
            draft["shippingMethod"] = store.shipping_method_id
        order_id = self.graphql(
            "mutation($input: DraftOrderCreateInput!) { draftOrderCreate(input: $input) {"
            " errors { field code message } order { id } } }",
            {"input": draft},
        )["draftOrderCreate"]["order"]["id"]
        self.graphql(
            "mutation($id: ID!) { draftOrderComplete(id: $id) {"
            " errors { field code message } order { id status } } }",
            {"id": order_id},
        )
        return order_id

    def order(self, order_id: str) -> dict:
        """An order with its lines, their allocations and the variants' stocks."""
        return self.graphql(
            "query($id: ID!) { order(id: $id) { id number status created"
            " lines { id productSku quantity quantityFulfilled quantityToFulfill"
            "  allocations { quantity warehouse { id } }"
            "  variant { id sku trackInventory } } } }",
            {"id": order_id},
        )["order"]

    def order_metadata(self, order_id: str) -> dict[str, str]:
        """The order's public metadata, key by key."""
        found = self.graphql("query($id: ID!) { order(id: $id) { metadata { key value } } }",
                             {"id": order_id})["order"]
        return {m["key"]: m["value"] for m in found["metadata"]}

    def dashboard_token(self, app_id: str) -> str:
        """The token the Dashboard hands an app's page for the staff user (App.accessToken)."""
        return self.graphql("query($id: ID!) { app(id: $id) { accessToken } }",
                            {"id": app_id})["app"]["accessToken"]

    def fulfill_order(self, order_id: str, warehouse_id: str,
                      lines: Mapping[str, int] | None = None) -> list[str]:
        """Fulfil order lines (line id -> quantity; default: everything still to fulfil) from a
        warehouse, with `orderFulfill`. Returns the fulfillment ids."""
        if lines is None:
            lines = {line["id"]: line["quantityToFulfill"] for line in self.order(order_id)["lines"]
                     if line["quantityToFulfill"] > 0}
        data = self.graphql(
            "mutation($order: ID!, $input: OrderFulfillInput!) {"
            " orderFulfill(order: $order, input: $input) {"
            "  errors { field code message } fulfillments { id } } }",
            {"order": order_id, "input": {"notifyCustomer": False, "lines": [
                {"orderLineId": line, "stocks": [{"warehouse": warehouse_id, "quantity": q}]}
                for line, q in lines.items()]}},
        )
        return [f["id"] for f in data["orderFulfill"]["fulfillments"]]

    def set_stock(self, variant_id: str, warehouse_id: str, quantity: int) -> None:
        """Set a variant's stock quantity in a warehouse (`productVariantStocksUpdate`; fires
        PRODUCT_VARIANT_STOCK_UPDATED, and BACK_IN_STOCK / OUT_OF_STOCK on a transition)."""
        self.graphql(
            "mutation($variant: ID!, $stocks: [StockInput!]!) {"
            " productVariantStocksUpdate(variantId: $variant, stocks: $stocks) {"
            "  errors { field code message } productVariant { id } } }",
            {"variant": variant_id, "stocks": [{"warehouse": warehouse_id, "quantity": quantity}]},
        )

    def stocks(self, variant_id: str) -> dict[str, dict]:
        """A variant's stocks by warehouse id: quantity, quantityAllocated, quantityReserved."""
        variant = self.graphql(
            "query($id: ID!) { productVariant(id: $id) { id trackInventory"
            " stocks { warehouse { id } quantity quantityAllocated quantityReserved } } }",
            {"id": variant_id},
        )["productVariant"]
        return {s["warehouse"]["id"]: s for s in variant["stocks"]}

    # -- apps -------------------------------------------------------------------------------
    def install_app(self, manifest_url: str, permissions: Iterable[str] = (), *,
                    app_name: str = "Backorders", activate: bool = True,
                    timeout: float = 60) -> dict:
        """Install an app with `appInstall` and wait until Saleor finished the installation
        (it fetches the manifest and POSTs the app token to the app's tokenTargetUrl).

        Returns {"app_id", "status": "SUCCESS", "installation_id"}; raises AppInstallError with
        Saleor's message when the installation failed."""
        before = self._app_ids()
        try:
            data = self.graphql(
                "mutation($input: AppInstallInput!) { appInstall(input: $input) {"
                " errors { field code message permissions }"
                " appInstallation { id status message } } }",
                {"input": {"appName": app_name, "manifestUrl": manifest_url,
                           "permissions": list(permissions), "activateAfterInstallation": activate}},
            )
        except GraphQLError as exc:
            raise AppInstallError(f"appInstall refused: {exc}") from exc
        installation = data["appInstall"]["appInstallation"]
        deadline = time.monotonic() + timeout
        while True:
            jobs = {j["id"]: j for j in self.graphql(
                "{ appsInstallations { id status message } }")["appsInstallations"]}
            job = jobs.get(installation["id"])
            if job is None:  # Saleor deletes the job once the app is installed
                break
            if job["status"] == "FAILED":
                raise AppInstallError(job["message"] or "installation failed without a message")
            if time.monotonic() > deadline:
                raise AppInstallError(f"installation still {job['status']} after {timeout:.0f} s")
            time.sleep(0.5)
        new = self._app_ids() - before
        if len(new) != 1:
            raise AppInstallError(f"installation finished, but {len(new)} new apps were found")
        return {"app_id": new.pop(), "status": "SUCCESS", "installation_id": installation["id"]}

    def _app_ids(self) -> set[str]:
        data = self.graphql("{ apps(first: 100) { edges { node { id } } } }")
        return {e["node"]["id"] for e in data["apps"]["edges"]}


def start(source: str | os.PathLike | None = None, *, log: Log = _stderr) -> Saleor:
    """Build if needed and start a test bed (see Saleor.start)."""
    return Saleor.start(source, log=log)


# -- command line -----------------------------------------------------------------------------

def _state_path() -> Path:
    return cache_base() / "cli-run.json"


def _read_state() -> dict | None:
    try:
        return json.loads(_state_path().read_text())
    except (OSError, ValueError):
        return None


def _cli_saleor(state: dict) -> Saleor | None:
    """The server the command line started, when it still runs (and is that server)."""
    pid = state["pid"]
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:  # no /proc here: trust the pid
        return _cli_saleor_unchecked(state) if _pid_alive(pid) else None
    if b"saleor.asgi:application" not in cmdline or str(state["port"]).encode() not in cmdline:
        return None
    return _cli_saleor_unchecked(state)


def _cli_saleor_unchecked(state: dict) -> Saleor:
    root = Path(state["root"])
    b = Build(root=root, source_dir=Path(state["source_dir"]), venv=root / "venv",
              template=state["template"], sha=state["sha"], rsa_key=root / "rsa.pem")
    return Saleor(b, state["port"], state["database"], None, state["pid"],
                  Path(state["log"]), state["token"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m testbed.saleor",
        description=f"A real Saleor {SALEOR_VERSION} for the live tests (needs SALEOR_SOURCE).")
    parser.add_argument("command", choices=["start", "stop", "status"])
    args = parser.parse_args(argv)
    state = _read_state()
    running = _cli_saleor(state) if state else None
    if args.command == "start":
        if running:
            print(json.dumps(state, indent=2))
            return 0
        try:
            saleor = Saleor.start()
        except TestbedError as exc:
            print(f"saleor testbed: {exc}", file=sys.stderr)
            return 1
        atexit.unregister(saleor.stop)  # it runs on after this command
        state = {"url": saleor.url, "api_url": saleor.api_url, "token": saleor.token,
                 "staff_email": STAFF_EMAIL, "staff_password": STAFF_PASSWORD,
                 "pid": saleor.pid, "port": saleor.port, "database": saleor.database,
                 "log": str(saleor.log_path), "root": str(saleor.build.root),
                 "source_dir": str(saleor.build.source_dir),
                 "template": saleor.build.template, "sha": saleor.build.sha}
        _state_path().parent.mkdir(parents=True, exist_ok=True)
        _state_path().write_text(json.dumps(state, indent=2))
        print(json.dumps(state, indent=2))
        return 0
    if args.command == "stop":
        if not state:
            print("not running")
            return 0
        if running:
            running.stop()
        else:
            _drop_only(state)
        _state_path().unlink(missing_ok=True)
        print(f"stopped; database {state['database']} dropped")
        return 0
    if running:
        print(json.dumps(state, indent=2))
        return 0
    print("not running")
    return 1


def _drop_only(state: dict) -> None:
    with contextlib.suppress(TestbedError, psycopg.Error), _connect() as conn:
        _drop_database(conn, state["database"])


if __name__ == "__main__":
    sys.exit(main())
