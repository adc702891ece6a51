"""The local Kafka broker (streams.broker) against a real Apache Kafka process.

These start brokers of their own (not the session broker of conftest.py): they stop and restart them.

Every broker here lives in a tmp broker_dir on ports of its own (19192/19193 plain, 19092/19093/19094
with SASL_SSL) so it never clashes with a developer's broker on 9092. One broker runs at a time.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.conn import create_conn
from aiokafka.errors import KafkaConnectionError, SaslAuthenticationFailed

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
    ):
        assert line in config.splitlines()
    assert "Kafka Server started" in plain_broker.log_path.read_text()
    assert len(plain_broker.logs(lines=5).splitlines()) == 5


async def test_produce_consume_round_trip(plain_broker: LocalBroker) -> None:
    assert plain_broker.start(timeout=30).running  # also callable from inside a running event loop
    topic = f"roundtrip-{uuid.uuid4().hex[:8]}"
    await _produce(topic, b"hello kafka", bootstrap_servers=plain_broker.bootstrap)
    # A consumer group, as Faust uses: exercises the group coordinator and the offsets topic.
    assert await _consume_one(topic, bootstrap_servers=plain_broker.bootstrap, group_id="test-broker") == b"hello kafka"


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
