"""A real single-node Apache Kafka broker (KRaft) on 127.0.0.1, run from Maven Central jars.

No Docker: `kafka/pom.xml` names the broker and a log4j2 backend, Maven copies them into
`<broker_dir>/libs`, and the broker runs as a detached `java ... kafka.Kafka server.properties`
process whose pid is kept in `<broker_dir>/broker.pid`, so a later process (the CLI, another test
session) can find, query and stop it.

Layout of `broker_dir`::

    libs/               the classpath (jars) and a marker of the pom they were resolved from
    data/               log.dirs: the KRaft metadata log and topic partitions
    server.properties   written on every start from the settings
    server.log          the broker's own log (log4j2, rolling)
    broker.out          the JVM's stdout/stderr (crashes before logging starts end up here)
    broker.pid          pid of the running broker
    scram-users.scrypt  a salted hash of the SCRAM users it was formatted with (to refuse other users later)

Everything under `broker_dir` is its owner's only: the folder is 0700 (tightened on every start) and the
broker, its tools and Maven run with umask 077. Secrets never reach a command line (`ps` shows every
process's arguments): the keystore password is in server.properties (0600), and the SCRAM users go to
the StorageTool in a Java argument file (0600, deleted once the tool has run).

The library prints nothing; it reports through `logging` and raises `BrokerError`.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import concurrent.futures
import contextlib
import fcntl
import hashlib
import hmac
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from streams.settings import PROJECT_ROOT, Settings, private_dir

log = logging.getLogger(__name__)

T = TypeVar("T")

KAFKA_DIR = PROJECT_ROOT / "kafka"
POM_PATH = KAFKA_DIR / "pom.xml"
LOG4J_CONFIG = KAFKA_DIR / "log4j2.properties"

HOST = "127.0.0.1"
NODE_ID = 1
SCRAM_MECHANISM = "SCRAM-SHA-512"
_LIBS_MARKER = ".streams-libs.json"
# Characters Kafka's `--add-scram` parser treats as syntax (or that break a properties line).
_SCRAM_FORBIDDEN = set(',[]="\\\n\r\t ')
_POLL_SECONDS = 0.2
# Children write their files for their owner only (the data, logs, jars); see the module docstring.
_PRIVATE_UMASK = 0o077
# scrypt's interactive-login cost (16 MiB, tens of milliseconds): the fingerprint resists guessing the password.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class BrokerError(RuntimeError):
    """The local broker could not be prepared, started or stopped; the message says why."""


@dataclass(frozen=True)
class ScramUser:
    """A SCRAM-SHA-512 user the broker accepts on the SASL_SSL listener."""

    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class SaslSslListener:
    """An extra SASL_SSL listener (SCRAM-SHA-512 over TLS) on 127.0.0.1:`port`."""

    port: int
    keystore: Path
    keystore_password: str = field(repr=False)
    keystore_type: str = "PKCS12"
    users: tuple[ScramUser, ...] = ()

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"


@dataclass(frozen=True)
class BrokerStatus:
    running: bool
    pid: int | None
    bootstrap: str
    data_dir: Path
    version: str


class LocalBroker:
    """Start, stop and inspect the local broker described by `settings`.

    Safe to use from several processes at once: start and stop hold a lock file in `broker_dir`.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.broker_dir = Path(settings.broker_dir).resolve()
        self.heap = settings.broker_heap
        self.port = _first_port(settings.kafka_bootstrap_servers)
        self.controller_port = self.port + 1
        self._proc: subprocess.Popen[bytes] | None = None

    # ----------------------------------------------------------------- paths

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def libs_dir(self) -> Path:
        return self.broker_dir / "libs"

    @property
    def data_dir(self) -> Path:
        return self.broker_dir / "data"

    @property
    def config_path(self) -> Path:
        return self.broker_dir / "server.properties"

    @property
    def pid_path(self) -> Path:
        return self.broker_dir / "broker.pid"

    @property
    def log_path(self) -> Path:
        """The broker's log4j2 log (see kafka/log4j2.properties)."""
        return self.broker_dir / "server.log"

    @property
    def stdout_path(self) -> Path:
        return self.broker_dir / "broker.out"

    @property
    def version(self) -> str:
        return kafka_version()

    # ------------------------------------------------------------ public API

    def ensure_jars(self) -> Path:
        """Resolve the broker's classpath into `libs/` with Maven, unless it is already complete."""
        private_dir(self.broker_dir)
        with self._lock():
            return self._ensure_jars_locked()

    def start(self, timeout: float = 120, sasl_ssl: SaslSslListener | None = None) -> BrokerStatus:
        """Start the broker (or find it running) and return once it answers metadata requests."""
        private_dir(self.broker_dir)
        deadline = time.monotonic() + timeout
        with self._lock():
            config = self._render_config(sasl_ssl)
            pid = self._running_pid()
            if pid is not None:
                self._check_same_config(config)
                self._check_scram_users(sasl_ssl)
                log.info("Kafka broker already running (pid %d) at %s", pid, self.bootstrap)
            else:
                self._check_ports_free(sasl_ssl)  # cheap checks first: fail before Maven and the JVM
                self._ensure_jars_locked()
                _write_private(self.config_path, config)
                self._ensure_formatted(sasl_ssl)
                pid = self._launch()
            self._wait_ready(pid, deadline, sasl_ssl)
        return self.status()

    def stop(self, timeout: float = 60) -> bool:
        """Stop the broker cleanly (SIGTERM), killing it after `timeout`; True if one was running."""
        if not self.broker_dir.exists():
            return False
        with self._lock():
            pid = self._running_pid()
            if pid is None:
                self.pid_path.unlink(missing_ok=True)
                return False
            log.info("Stopping Kafka broker (pid %d)", pid)
            _signal(pid, signal.SIGTERM)  # the broker's shutdown hook does a controlled shutdown
            if not self._wait_exit(pid, timeout):
                log.warning("Kafka broker (pid %d) ignored SIGTERM for %.0fs; killing it", pid, timeout)
                _signal(pid, signal.SIGKILL)
                self._wait_exit(pid, 10)
            self.pid_path.unlink(missing_ok=True)
            self._proc = None
            return True

    def status(self) -> BrokerStatus:
        pid = self._running_pid()
        return BrokerStatus(
            running=pid is not None,
            pid=pid,
            bootstrap=self.bootstrap,
            data_dir=self.broker_dir,
            version=self.version,
        )

    def logs(self, lines: int = 50) -> str:
        """The last `lines` lines of the broker's log (empty if it never ran)."""
        return _tail(self.log_path, lines)

    # ------------------------------------------------------------------ jars

    def _ensure_jars_locked(self) -> Path:
        pom_hash = _sha256(POM_PATH.read_bytes())
        if self._libs_complete(pom_hash):
            return self.libs_dir
        mvn = shutil.which("mvn")
        if mvn is None:
            raise BrokerError("Maven (`mvn`) is not on PATH; it is needed once to fetch the Kafka jars")
        # A changed pom must not leave old jars (two log4j versions, say) on the classpath.
        shutil.rmtree(self.libs_dir, ignore_errors=True)
        log.info("Resolving Kafka %s jars with Maven into %s", self.version, self.libs_dir)
        cmd = [
            mvn, "-B", "-q", "dependency:copy-dependencies", "-DincludeScope=runtime",
            f"-DoutputDirectory={self.libs_dir}", "-f", str(POM_PATH),
        ]  # fmt: skip
        result = subprocess.run(cmd, capture_output=True, text=True, check=False, umask=_PRIVATE_UMASK)
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()[-4000:]
            raise BrokerError(f"Maven could not resolve the Kafka jars (exit {result.returncode}):\n{output}")
        jars = sorted(p.name for p in self.libs_dir.glob("*.jar"))
        marker = {"pom_sha256": pom_hash, "jars": jars}
        _write_private(self.libs_dir / _LIBS_MARKER, json.dumps(marker, indent=1))
        return self.libs_dir

    def _libs_complete(self, pom_hash: str) -> bool:
        try:
            marker = json.loads((self.libs_dir / _LIBS_MARKER).read_text())
        except (OSError, ValueError):
            return False
        jars = marker.get("jars") or []
        return marker.get("pom_sha256") == pom_hash and all((self.libs_dir / j).is_file() for j in jars)

    # ---------------------------------------------------------------- config

    def _render_config(self, sasl_ssl: SaslSslListener | None) -> str:
        listeners = [f"PLAINTEXT://{HOST}:{self.port}", f"CONTROLLER://{HOST}:{self.controller_port}"]
        advertised = [f"PLAINTEXT://{HOST}:{self.port}"]
        protocols = ["PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT"]
        if sasl_ssl is not None:
            listeners.append(f"SASL_SSL://{HOST}:{sasl_ssl.port}")
            advertised.append(f"SASL_SSL://{HOST}:{sasl_ssl.port}")
            protocols.append("SASL_SSL:SASL_SSL")
        props: dict[str, object] = {
            "process.roles": "broker,controller",
            "node.id": NODE_ID,
            # Static voters (formatted without --standalone): the port may change between runs.
            "controller.quorum.voters": f"{NODE_ID}@{HOST}:{self.controller_port}",
            "listeners": ",".join(listeners),
            "advertised.listeners": ",".join(advertised),
            "listener.security.protocol.map": ",".join(protocols),
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": self.data_dir,
            # One node: every internal topic must fit on it.
            "offsets.topic.replication.factor": 1,
            "transaction.state.log.replication.factor": 1,
            "transaction.state.log.min.isr": 1,
            "share.coordinator.state.topic.replication.factor": 1,
            "share.coordinator.state.topic.min.isr": 1,
            # Tests and dev workers join groups often; the default 3 s delay is pure waiting here.
            "group.initial.rebalance.delay.ms": 0,
            # No topic appears because a client asked for it (a consumer subscribing, kcat): it would get one
            # partition and a 1 MiB limit, and `ensure_topics` keeps an existing topic as it is.
            "auto.create.topics.enable": "false",
            "num.partitions": 1,
            "default.replication.factor": 1,
        }
        if sasl_ssl is not None:
            props |= _sasl_ssl_props(sasl_ssl)
        lines = ["# Written by streams.broker.LocalBroker on every start; edits are overwritten."]
        lines += [f"{key}={_prop_value(value)}" for key, value in props.items()]
        return "\n".join(lines) + "\n"

    def _check_same_config(self, config: str) -> None:
        try:
            current = self.config_path.read_text()
        except OSError:
            return
        if current != config:
            raise BrokerError(
                f"A Kafka broker is already running from {self.broker_dir} with a different configuration "
                "(ports or SASL_SSL listener); stop it first"
            )

    def _check_ports_free(self, sasl_ssl: SaslSslListener | None) -> None:
        ports = [self.port, self.controller_port] + ([sasl_ssl.port] if sasl_ssl else [])
        taken = [p for p in ports if _port_open(HOST, p)]
        if taken:
            raise BrokerError(
                f"Port(s) {', '.join(map(str, taken))} on {HOST} are already in use by another process "
                f"(not the broker of {self.broker_dir}); stop it or choose another port"
            )

    # ------------------------------------------------------------ formatting

    @property
    def _scram_fingerprint_path(self) -> Path:
        return self.broker_dir / "scram-users.scrypt"

    @property
    def _legacy_fingerprint_path(self) -> Path:
        """Older versions kept an unsalted SHA-256 of the users here; replaced at the next check."""
        return self.broker_dir / "scram-users.sha256"

    def _ensure_formatted(self, sasl_ssl: SaslSslListener | None) -> None:
        if (self.data_dir / "meta.properties").exists():
            self._check_scram_users(sasl_ssl)
            return
        users = sasl_ssl.users if sasl_ssl else ()
        cluster_id = _random_cluster_id()
        log.info("Formatting Kafka storage in %s (cluster id %s)", self.data_dir, cluster_id)
        args = ["format", "-t", cluster_id, "-c", str(self.config_path)]
        for user in users:
            args += ["--add-scram", f"{SCRAM_MECHANISM}=[name={user.username},password={user.password}]"]
        self._run_tool("kafka.tools.StorageTool", args)
        self._legacy_fingerprint_path.unlink(missing_ok=True)
        if users:
            _write_private(self._scram_fingerprint_path, _users_fingerprint(users))
        else:
            self._scram_fingerprint_path.unlink(missing_ok=True)

    def _check_scram_users(self, sasl_ssl: SaslSslListener | None) -> None:
        """KRaft takes SCRAM credentials at format time, and no admin tool is on our classpath to add
        them later: asking for other users than the storage was formatted with is an error."""
        if sasl_ssl is None or not sasl_ssl.users:
            return
        recorded = _read_text(self._scram_fingerprint_path)
        if recorded is not None and _fingerprint_matches(recorded, sasl_ssl.users):
            return
        legacy = _read_text(self._legacy_fingerprint_path)
        if recorded is None and legacy is not None:
            if hmac.compare_digest(legacy, _sha256(_users_json(sasl_ssl.users))):
                # The same users: keep a salted hash instead of the unsalted one.
                _write_private(self._scram_fingerprint_path, _users_fingerprint(sasl_ssl.users))
                self._legacy_fingerprint_path.unlink()
                return
            recorded = legacy
        what = "without SCRAM users" if recorded is None else "with other SCRAM users"
        raise BrokerError(
            f"{self.data_dir} was formatted {what}; stop the broker and delete that folder "
            "(or use another broker_dir) to change them"
        )

    def _run_tool(self, main_class: str, args: Sequence[str]) -> str:
        """Run a short-lived Kafka tool on the broker's classpath; return its output.

        The main class and its arguments (which may hold passwords) are in a Java argument file, read by
        the `java` launcher itself: the process's command line (`ps`, /proc/<pid>/cmdline) shows its path.
        """
        argfile = self.broker_dir / f".tool-args-{uuid.uuid4().hex}"
        _write_private(argfile, "\n".join(_argfile_quote(arg) for arg in (main_class, *args)) + "\n")
        # Short-lived JVM: C1 only and serial GC start noticeably faster on 2 cores.
        cmd = [
            _java(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            *self._logging_flags(), "-cp", f"{self.libs_dir}/*", f"@{argfile}",
        ]  # fmt: skip
        try:
            result = subprocess.run(
                cmd, capture_output=True, text=True, cwd=self.broker_dir, check=False, umask=_PRIVATE_UMASK
            )
        finally:
            argfile.unlink(missing_ok=True)
        output = (result.stdout + result.stderr).strip()
        if result.returncode != 0:
            raise BrokerError(f"{main_class} failed (exit {result.returncode}):\n{output[-4000:]}")
        log.debug("%s: %s", main_class, output)
        return output

    # -------------------------------------------------------------- process

    def _logging_flags(self) -> list[str]:
        return [f"-Dkafka.logs.dir={self.broker_dir}", f"-Dlog4j2.configurationFile={LOG4J_CONFIG}"]

    def _launch(self) -> int:
        # The local broker shares its machine with the workers: it sizes its thread pools (GC threads among
        # them) for half of the cores, so that its bursts leave the parsers a core (on 2 cores, a parser
        # waited for a CPU 1.3 s of 30 with all of them, 1.1 s with one).
        cmd = [
            _java(), f"-Xmx{self.heap}", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
            f"-XX:ActiveProcessorCount={max(1, (os.cpu_count() or 2) // 2)}",
            "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true", *self._logging_flags(),
            "-cp", f"{self.libs_dir}/*", "kafka.Kafka", str(self.config_path),
        ]  # fmt: skip
        log.info("Starting Kafka %s at %s (data in %s)", self.version, self.bootstrap, self.broker_dir)
        fd = os.open(self.stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            # A new session: the broker outlives this process and ignores the terminal's Ctrl-C.
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                cwd=self.broker_dir, start_new_session=True, umask=_PRIVATE_UMASK,
            )  # fmt: skip
        _write_private(self.pid_path, f"{self._proc.pid}\n")
        return self._proc.pid

    def _running_pid(self) -> int | None:
        """The pid of this broker_dir's broker if it is alive; clears a stale pid file."""
        try:
            pid = int(self.pid_path.read_text().strip())
        except (OSError, ValueError):
            return None
        if self._alive(pid) and _is_broker_process(pid, self.config_path):
            return pid
        log.debug("Removing stale pid file %s (pid %d)", self.pid_path, pid)
        self.pid_path.unlink(missing_ok=True)
        return None

    def _alive(self, pid: int) -> bool:
        if self._proc is not None and self._proc.pid == pid:
            return self._proc.poll() is None  # our child: poll() also reaps it
        return _pid_alive(pid)

    def _wait_exit(self, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self._alive(pid):
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_SECONDS)
        return True

    def _wait_ready(self, pid: int, deadline: float, sasl_ssl: SaslSslListener | None) -> None:
        """Block until the broker answers a metadata request listing itself (registered, unfenced)."""
        ports = [self.port] + ([sasl_ssl.port] if sasl_ssl else [])
        started = time.monotonic()
        while True:
            if not self._alive(pid):
                self.pid_path.unlink(missing_ok=True)
                raise BrokerError(f"The Kafka broker exited during startup.\n{self._diagnostics()}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrokerError(
                    f"The Kafka broker (pid {pid}) did not answer at {self.bootstrap} in time; it is left "
                    f"running (stop it with LocalBroker.stop()).\n{self._diagnostics()}"
                )
            if all(_port_open(HOST, p) for p in ports) and _run_sync(
                _metadata_lists_node(HOST, self.port, min(remaining, 5.0))
            ):
                log.info("Kafka broker ready at %s after %.1fs", self.bootstrap, time.monotonic() - started)
                return
            time.sleep(_POLL_SECONDS)

    def _diagnostics(self) -> str:
        return (
            f"--- {self.stdout_path} (last lines) ---\n{_tail(self.stdout_path, 20)}\n"
            f"--- {self.log_path} (last lines) ---\n{_tail(self.log_path, 40)}"
        )

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        # Serialises start/stop/ensure_jars across processes sharing one broker_dir.
        with os.fdopen(os.open(self.broker_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o600), "r+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


# ------------------------------------------------------------------ helpers


def kafka_version() -> str:
    """The Kafka version the pom pins (property `kafka.version`)."""
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    node = ET.parse(POM_PATH).getroot().find("m:properties/m:kafka.version", ns)
    return node.text.strip() if node is not None and node.text else "unknown"


def _first_port(bootstrap_servers: str) -> int:
    first = bootstrap_servers.split(",")[0].strip()
    _, sep, port = first.rpartition(":")
    if not sep or not port.isdigit():
        raise BrokerError(f"Cannot read a port from kafka_bootstrap_servers={bootstrap_servers!r}")
    return int(port)


def _sasl_ssl_props(listener: SaslSslListener) -> dict[str, object]:
    for user in listener.users:
        _check_scram_text(user.username, "username")
        _check_scram_text(user.password, "password")
    prefix = "listener.name.sasl_ssl"
    return {
        "sasl.enabled.mechanisms": SCRAM_MECHANISM,
        f"{prefix}.scram-sha-512.sasl.jaas.config": (
            "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        ),
        f"{prefix}.ssl.keystore.location": Path(listener.keystore).resolve(),
        f"{prefix}.ssl.keystore.password": listener.keystore_password,
        f"{prefix}.ssl.keystore.type": listener.keystore_type,
        f"{prefix}.ssl.client.auth": "none",
    }


def _check_scram_text(value: str, what: str) -> None:
    if not value or _SCRAM_FORBIDDEN & set(value):
        raise ValueError(f'SCRAM {what} must be non-empty and free of spaces and , [ ] = " \\')


def _users_json(users: Sequence[ScramUser]) -> bytes:
    return json.dumps(sorted((u.username, u.password) for u in users)).encode()


def _users_fingerprint(users: Sequence[ScramUser], salt: bytes | None = None) -> str:
    """A salted scrypt hash of the users and passwords (JSON with its salt and parameters).

    Enough to tell whether a start asks for the users the storage was formatted with; the random salt
    and scrypt's cost keep it from being looked up or cheaply brute-forced.
    """
    salt = os.urandom(16) if salt is None else salt
    digest = hashlib.scrypt(_users_json(users), salt=salt, **_SCRYPT)
    return json.dumps({"kdf": "scrypt", **_SCRYPT, "salt": salt.hex(), "hash": digest.hex()})


def _fingerprint_matches(recorded: str, users: Sequence[ScramUser]) -> bool:
    try:
        fields = json.loads(recorded)
        salt = bytes.fromhex(fields["salt"])
        params = {key: int(fields[key]) for key in _SCRYPT}
        expected = bytes.fromhex(fields["hash"])
    except (ValueError, KeyError, TypeError):
        return False
    return hmac.compare_digest(hashlib.scrypt(_users_json(users), salt=salt, **params), expected)


def _argfile_quote(arg: str) -> str:
    """One argument of a Java launcher argument file: double-quoted, backslashes and quotes escaped."""
    if "\n" in arg or "\r" in arg:
        raise ValueError(f"a Java argument file cannot hold a line break: {arg!r}")
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _prop_value(value: object) -> str:
    text = str(value)
    if "\n" in text or "\r" in text:
        raise ValueError(f"Broker property values cannot contain line breaks: {text!r}")
    return text.replace("\\", "\\\\")  # java.util.Properties reads backslash as an escape


def _random_cluster_id() -> str:
    """A cluster id as `kafka-storage random-uuid` prints it: a UUID in unpadded URL-safe base64."""
    # Generated here to save a JVM start; Kafka avoids ids starting with '-' (they look like options).
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if candidate.is_file():
            return str(candidate)
        raise BrokerError(f"JAVA_HOME={java_home} has no bin/java")
    java = shutil.which("java")
    if java is None:
        raise BrokerError("No `java` on PATH (Kafka 4 needs Java 17 or newer); install a JDK or set JAVA_HOME")
    return java


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it may have exited on its own just now
        os.kill(pid, signum)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        # A zombie still "exists" for kill(0) until its parent reaps it.
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def _is_broker_process(pid: int, config_path: Path) -> bool:
    """Guards against a recycled pid: the process must be kafka.Kafka on our server.properties."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc (not Linux): trust the pid file
    return b"kafka.Kafka" in args and str(config_path).encode() in args


def _port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


async def _metadata_lists_node(host: str, port: int, timeout: float) -> bool:
    """One metadata request; True when the broker lists node NODE_ID (it is registered and unfenced)."""
    from aiokafka.conn import create_conn
    from aiokafka.protocol.metadata import MetadataRequest

    conn = None
    try:
        async with asyncio.timeout(timeout):
            conn = await create_conn(host, port, request_timeout_ms=int(timeout * 1000))
            response = await conn.send(MetadataRequest([]))
    except Exception as exc:  # any failure here just means "not ready yet"
        log.debug("Metadata probe of %s:%d failed: %r", host, port, exc)
        return False
    finally:
        if conn is not None:
            conn.close()
    return any(broker[0] == NODE_ID for broker in response.brokers)


def _run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, also from code that already runs inside an event loop (then in a worker thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _write_private(path: Path, text: str) -> None:
    # The config can hold keystore passwords, the argument files SCRAM passwords: owner only, like every file
    # in broker_dir.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # the mode above applies only when the file is created
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tail(path: Path, lines: int) -> str:
    if lines <= 0:
        return ""
    try:
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            return "".join(collections.deque(handle, maxlen=lines)).rstrip("\n")
    except OSError:
        return ""
