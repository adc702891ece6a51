"""Kafka over TLS with SASL/SCRAM-SHA-512, end to end; no secrets in logs; a read-only HTTP API.

A broker of its own (tmp broker_dir, free ports: PLAINTEXT and controller, SASL_SSL) with a keystore made
here by keytool; a real worker, publisher and subscriber talk to it over SASL_SSL only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from pydantic import SecretStr

from streams.broker import LocalBroker, SaslSslListener, ScramUser
from streams.settings import Settings
from tests.support import WorkerProcess, free_port, free_port_pair, publish, read_until, run_cli

pytestmark = [
    pytest.mark.kafka,
    pytest.mark.skipif(shutil.which("java") is None or shutil.which("mvn") is None, reason="needs a JDK and Maven"),
]

PLAIN_PORT, SASL_PORT = free_port_pair(), free_port()  # the broker's PLAINTEXT (+1: controller), SASL_SSL
PASSWORD = "s3cret-Pa55word-for-tests"
ARTICLE = {"id": "secure-1", "text": 'The governor said on Friday that "the roads are safe again".'}


def keytool() -> str:
    java_home = os.environ.get("JAVA_HOME")
    return str(Path(java_home, "bin", "keytool")) if java_home else shutil.which("keytool") or "keytool"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed keystore for 127.0.0.1 (the broker's) and its certificate in PEM (the clients' CA)."""
    folder = tmp_path_factory.mktemp("tls")
    keystore, cert = folder / "broker.p12", folder / "broker.pem"
    common = ["-keystore", str(keystore), "-storetype", "PKCS12", "-storepass", "keystore-pass"]
    subprocess.run(
        [keytool(), "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
         "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keypass", "keystore-pass", *common],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [keytool(), "-exportcert", "-rfc", "-alias", "broker", "-file", str(cert), *common],
        check=True, capture_output=True,
    )  # fmt: skip
    return keystore, cert


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory, tls: tuple[Path, Path]) -> Iterator[LocalBroker]:
    listener = SaslSslListener(SASL_PORT, tls[0], "keystore-pass", users=(ScramUser("streams", PASSWORD),))
    local = LocalBroker(
        Settings(
            broker_dir=tmp_path_factory.mktemp("kafka-secure"),
            kafka_bootstrap_servers=f"127.0.0.1:{PLAIN_PORT}",
            broker_heap="384m",
        )
    )
    local.start(timeout=240, sasl_ssl=listener)
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture
def secure_settings(kafka_settings: Settings, secure_broker: LocalBroker, tls: tuple[Path, Path]) -> Settings:
    """The test's topics, reached over SASL_SSL only."""
    return kafka_settings.model_copy(
        update={
            "kafka_bootstrap_servers": f"127.0.0.1:{SASL_PORT}",
            "kafka_security_protocol": "SASL_SSL",
            "kafka_sasl_mechanism": "SCRAM-SHA-512",
            "kafka_sasl_username": "streams",
            "kafka_sasl_password": SecretStr(PASSWORD),
            "kafka_ssl_cafile": tls[1],
            "kafka_connect_timeout": 20.0,
        }
    )


def http(method: str, url: str) -> int:
    request = urllib.request.Request(url, method=method, data=b"{}" if method in ("POST", "PUT", "PATCH") else None)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


async def test_worker_publish_subscribe_over_sasl_ssl(secure_settings: Settings, tmp_path: Path) -> None:
    with WorkerProcess(secure_settings, tmp_path / "worker.log") as worker:
        await publish(secure_settings, [(ARTICLE["id"].encode(), orjson.dumps(ARTICLE))])
        found = await read_until(secure_settings, {"enriched": 1, "quotes": 1}, timeout=240)
        assert worker.alive, worker.log()

        # The CLI's own subscriber, over SASL_SSL too.
        quotes = run_cli(
            secure_settings, "subscribe", "quotes", "--from-beginning", "--timeout", "20", "--limit", "1", text=True
        )
        assert quotes.returncode == 0, quotes.stderr
        assert "roads are safe again" in quotes.stdout

        # The HTTP API only reads: every other method is refused.
        base = f"http://127.0.0.1:{secure_settings.worker_web_port}"
        for path in ("/health", "/metrics"):
            assert http("GET", base + path) == 200
            for method in ("POST", "PUT", "DELETE", "PATCH"):
                assert http(method, base + path) == 405, (method, path)
    assert worker.process is not None and worker.process.returncode == 0, worker.log()
    assert orjson.loads(found["enriched"][0].value)["article_id"] == ARTICLE["id"]

    # No secret anywhere we print: the worker's log, `streams info`, the CLI's output.
    info = run_cli(secure_settings, "info", "--json", text=True)
    assert info.returncode == 0, info.stderr
    assert orjson.loads(info.stdout)["kafka"]["security_protocol"] == "SASL_SSL"
    for text in (worker.log(), info.stdout, info.stderr, quotes.stdout, quotes.stderr):
        assert PASSWORD not in text
    assert PASSWORD not in repr(secure_settings)


def test_a_wrong_password_fails_fast_and_readably(secure_settings: Settings, tmp_path: Path) -> None:
    wrong = secure_settings.model_copy(update={"kafka_sasl_password": SecretStr("not-the-password")})
    articles = tmp_path / "one.jsonl"
    articles.write_bytes(orjson.dumps(ARTICLE) + b"\n")
    for command in (["publish", str(articles)], ["subscribe", "quotes", "--timeout", "5"], ["worker"]):
        result = run_cli(wrong, *command, timeout=120, text=True)
        assert result.returncode == 2, (command, result.stderr)
        assert "Traceback" not in result.stderr
        assert "SaslAuthenticationFailed" in result.stderr and "refused" in result.stderr, result.stderr
        assert "not-the-password" not in result.stderr + result.stdout
