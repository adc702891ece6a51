"""The local Kafka broker (streams.broker) against a real Apache Kafka process.

These start brokers of their own (not the session broker of conftest.py): they stop and restart them.

Every broker here lives in a tmp broker_dir on free ports of its own, so it never clashes with a
developer's broker on 9092, the session broker, nor another checkout's test run. One broker runs at a time.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.conn import create_conn
from aiokafka.errors import KafkaConnectionError, SaslAuthenticationFailed

from streams import broker as broker_module
from streams.broker import BrokerError, LocalBroker, SaslSslListener, ScramUser
from streams.settings import Settings
from tests.support import free_port, free_port_pair

# Free ports (each broker also listens on the next one, for its controller): no clash with a developer's
# broker, the session broker or another checkout's tests.
PLAIN_PORT = free_port_pair()
SASL_BROKER_PORT = free_port_pair()
SASL_PORT = free_port()

needs_jdk = pytest.mark.skipif(
    shutil.which("java") is None or shutil.which("mvn") is None, reason="needs a JDK and Maven on PATH"
)
pytestmark = [pytest.mark.kafka, needs_jdk]


def _broker(broker_dir: Path, port: int, heap: str = "384m") -> LocalBroker:
    return LocalBroker(Settings(broker_dir=broker_dir, kafka_bootstrap_servers=f"127.0.0.1:{port}", broker_heap=heap))


@pytest.fixture(scope="module")
def plain_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    local = _broker(tmp_path_factory.mktemp("kafka"), PLAIN_PORT)
    local.start()
    try:
        yield local
    finally:
        local.stop()


def test_start_is_idempotent_and_status_reports_running(plain_broker: LocalBroker) -> None:
    first = plain_broker.status()
    again = plain_broker.start(timeout=30)
    assert again.running and again.pid == first.pid
    assert again.bootstrap == f"127.0.0.1:{PLAIN_PORT}"
    assert again.data_dir == plain_broker.broker_dir
    assert again.version == "4.4.0"
    # Another process (a fresh object) finds the same broker through the pid file.
    assert _broker(plain_broker.broker_dir, PLAIN_PORT).status() == again


def test_config_and_logs(plain_broker: LocalBroker) -> None:
    config = plain_broker.config_path.read_text()
    for line in (
        "process.roles=broker,controller",
        f"controller.quorum.voters=1@127.0.0.1:{PLAIN_PORT + 1}",
        "offsets.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
    ):
        assert line in config.splitlines()
    assert "Kafka Server started" in plain_broker.log_path.read_text()
    assert len(plain_broker.logs(lines=5).splitlines()) == 5


async def test_produce_consume_round_trip(plain_broker: LocalBroker) -> None:
    assert plain_broker.start(timeout=30).running  # also callable from inside a running event loop
    topic = f"roundtrip-{uuid.uuid4().hex[:8]}"
    await _create_topic(topic, bootstrap_servers=plain_broker.bootstrap)  # the broker creates none by itself
    await _produce(topic, b"hello kafka", bootstrap_servers=plain_broker.bootstrap)
    # A consumer group, as Faust uses: exercises the group coordinator and the offsets topic.
    assert await _consume_one(topic, bootstrap_servers=plain_broker.bootstrap, group_id="test-broker") == b"hello kafka"


def test_everything_under_the_broker_dir_is_the_owners_only(plain_broker: LocalBroker) -> None:
    """The folder is 0700, and the files the broker, Maven and this module wrote there are not readable,
    writable or searchable by group or others (the config can hold keystore passwords; the data, messages)."""
    assert stat.S_IMODE(plain_broker.broker_dir.stat().st_mode) == 0o700
    paths = list(plain_broker.broker_dir.rglob("*"))
    assert plain_broker.config_path in paths and plain_broker.log_path in paths and plain_broker.stdout_path in paths
    assert any(path.suffix == ".jar" for path in paths) and any(path.name == "meta.properties" for path in paths)
    shared = {str(path): oct(path.stat().st_mode) for path in paths if path.stat().st_mode & 0o077}
    assert shared == {}


def test_an_existing_broker_dir_is_tightened(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    _broker(tmp_path, PLAIN_PORT).ensure_jars()
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700


def test_stop_is_clean_then_restart_keeps_data(plain_broker: LocalBroker) -> None:
    assert plain_broker.stop() is True
    status = plain_broker.status()
    assert not status.running and status.pid is None
    assert not plain_broker.pid_path.exists()
    assert not _port_open(PLAIN_PORT)
    assert "[BrokerServer id=1] shut down completed" in plain_broker.log_path.read_text()
    assert plain_broker.stop() is False  # idempotent

    restarted = plain_broker.start()  # warm: jars and formatted storage are reused
    assert restarted.running and restarted.pid != status.pid


def test_port_in_use_is_reported(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(BrokerError, match="already in use"):
            _broker(tmp_path, port).start(timeout=10)


def test_startup_failure_shows_the_log(tmp_path: Path) -> None:
    broker = _broker(tmp_path, free_port_pair(), heap="not-a-size")
    with pytest.raises(BrokerError, match="exited during startup") as failure:
        broker.start(timeout=60)
    assert "Invalid maximum heap size" in str(failure.value)
    assert not broker.status().running


# ------------------------------------------------------------------ SASL_SSL


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed PKCS12 keystore for 127.0.0.1 and its certificate in PEM (the client's CA)."""
    folder = tmp_path_factory.mktemp("tls")
    keystore, cert = folder / "broker.p12", folder / "broker.pem"
    java_home = os.environ.get("JAVA_HOME")
    keytool = str(Path(java_home, "bin", "keytool")) if java_home else shutil.which("keytool") or "keytool"
    common = ["-keystore", str(keystore), "-storetype", "PKCS12", "-storepass", "store-secret"]
    subprocess.run(
        [keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
         "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keypass", "store-secret",
         *common],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [keytool, "-exportcert", "-rfc", "-alias", "broker", "-file", str(cert), *common],
        check=True, capture_output=True,
    )  # fmt: skip
    return keystore, cert


#: What the SASL broker's start ran: (the command line as /proc showed it, its Java argument files' modes and text).
TOOL_RUNS: list[tuple[list[str], dict[str, tuple[int, str]]]] = []


def _recording_run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """subprocess.run, also noting the child's command line as every local user sees it (/proc/<pid>/cmdline,
    read while the JVM starts up) and the argument files it names, while they exist."""
    stdin = kwargs.pop("input", None)
    kwargs.pop("check", None)
    kwargs.pop("capture_output", None)
    with subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs) as proc:
        seen = _cmdline(proc)
        argfiles = {arg: Path(arg[1:]) for arg in seen if arg.startswith("@")}
        TOOL_RUNS.append((seen, {a: (stat.S_IMODE(p.stat().st_mode), p.read_text()) for a, p in argfiles.items()}))
        out, errors = proc.communicate(stdin)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, errors)


def _cmdline(proc: subprocess.Popen[bytes]) -> list[str]:
    """The child's arguments in /proc, once its exec has filled them in (empty for a moment after fork)."""
    deadline = time.monotonic() + 10
    while not (raw := Path(f"/proc/{proc.pid}/cmdline").read_bytes()):
        assert proc.poll() is None and time.monotonic() < deadline, "the child exited before its cmdline was read"
        time.sleep(0.001)
    return raw.decode().split("\0")


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory: pytest.TempPathFactory, tls_files: tuple[Path, Path]) -> Iterator[LocalBroker]:
    keystore, _ = tls_files
    listener = SaslSslListener(
        port=SASL_PORT,
        keystore=keystore,
        keystore_password="store-secret",
        users=(ScramUser("alice", "alice-secret"),),
    )
    local = _broker(tmp_path_factory.mktemp("kafka-sasl"), SASL_BROKER_PORT)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(broker_module.subprocess, "run", _recording_run)
        local.start(sasl_ssl=listener)
    try:
        yield local
    finally:
        local.stop()


def _sasl_options(cafile: Path, password: str) -> dict[str, object]:
    # Through the project's own Settings, as the worker will build them.
    settings = Settings(
        kafka_bootstrap_servers=f"127.0.0.1:{SASL_PORT}",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="alice",
        kafka_sasl_password=password,
        kafka_ssl_cafile=cafile,
    )
    return settings.kafka_client_options()


async def test_sasl_ssl_round_trip(sasl_broker: LocalBroker, tls_files: tuple[Path, Path]) -> None:
    options = _sasl_options(tls_files[1], "alice-secret")
    bootstrap = f"127.0.0.1:{SASL_PORT}"
    await _create_topic("secure", bootstrap_servers=bootstrap, **options)
    await _produce("secure", b"over tls", bootstrap_servers=bootstrap, **options)
    assert await _consume_one("secure", bootstrap_servers=bootstrap, **options) == b"over tls"


async def test_sasl_ssl_wrong_password_is_an_auth_error(sasl_broker: LocalBroker, tls_files: tuple[Path, Path]) -> None:
    options = _sasl_options(tls_files[1], "wrong-password")
    with pytest.raises(SaslAuthenticationFailed, match="invalid credentials"):
        await create_conn("127.0.0.1", SASL_PORT, **options)  # type: ignore[arg-type]
    producer = AIOKafkaProducer(bootstrap_servers=f"127.0.0.1:{SASL_PORT}", **options)  # type: ignore[arg-type]
    with pytest.raises(KafkaConnectionError):
        await producer.start()
    await producer.stop()


def test_no_password_on_a_command_line(sasl_broker: LocalBroker) -> None:
    """The StorageTool got the SCRAM users (the broker accepts alice: see the round trip) from a Java argument
    file, 0600 and gone afterwards; no command line of the start held a password, nor does the broker's."""
    storage_runs = [run for run in TOOL_RUNS if any("kafka.tools.StorageTool" in text for _, text in run[1].values())]
    assert len(storage_runs) == 1, TOOL_RUNS
    seen, argfiles = storage_runs[0]
    assert seen[0].endswith("java") and "kafka.tools.StorageTool" not in seen
    for mode, text in argfiles.values():
        assert mode == 0o600
        assert "password=alice-secret" in text  # the file did carry it...
    for arg in argfiles:
        assert not Path(arg[1:]).exists()  # ...and is deleted
    running = Path(f"/proc/{sasl_broker.status().pid}/cmdline").read_bytes().decode()
    for command_line in [*("\0".join(s) for s, _ in TOOL_RUNS), running]:
        assert "alice-secret" not in command_line and "store-secret" not in command_line


def test_the_scram_fingerprint_is_salted(sasl_broker: LocalBroker) -> None:
    """What records the SCRAM users is a salted scrypt hash: no password, no unsalted digest of them."""
    files = {p.name: p.read_bytes() for p in sasl_broker.broker_dir.iterdir() if p.is_file()}
    assert "scram-users.sha256" not in files
    recorded = files["scram-users.scrypt"].decode()
    assert "alice-secret" not in recorded
    unsalted = broker_module._sha256(broker_module._users_json([ScramUser("alice", "alice-secret")]))
    assert all(unsalted.encode() not in content for content in files.values())
    assert broker_module._fingerprint_matches(recorded, [ScramUser("alice", "alice-secret")])
    assert not broker_module._fingerprint_matches(recorded, [ScramUser("alice", "alice-secreT")])


def test_sasl_users_are_fixed_at_format_time(sasl_broker: LocalBroker, tls_files: tuple[Path, Path]) -> None:
    other = SaslSslListener(SASL_PORT, tls_files[0], "store-secret", users=(ScramUser("bob", "bob-secret"),))
    with pytest.raises(BrokerError, match="other SCRAM users"):
        sasl_broker.start(sasl_ssl=other)
    with pytest.raises(BrokerError, match="different configuration"):
        sasl_broker.start()  # running with a SASL_SSL listener, asked for none
    sasl_broker.stop()
    with pytest.raises(BrokerError, match="other SCRAM users"):
        sasl_broker.start(sasl_ssl=other)


# ------------------------------------------------------------------ helpers


async def _create_topic(topic: str, **client: object) -> None:
    admin = AIOKafkaAdminClient(**client)  # type: ignore[arg-type]
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()


async def _produce(topic: str, value: bytes, **client: object) -> None:
    producer = AIOKafkaProducer(acks="all", **client)  # type: ignore[arg-type]
    await producer.start()
    try:
        await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()


async def _consume_one(topic: str, **client: object) -> bytes | None:
    consumer = AIOKafkaConsumer(topic, auto_offset_reset="earliest", **client)  # type: ignore[arg-type]
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=30_000, max_records=1)
        records = [record for batch in batches.values() for record in batch]
        return records[0].value if records else None
    finally:
        await consumer.stop()


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False
