"""Secrets and exposure without Kafka: the password in Settings, the SCRAM users' fingerprint, private folders,
and the URL a worker gives its peers."""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from streams import broker as broker_module
from streams.broker import BrokerError, LocalBroker, SaslSslListener, ScramUser
from streams.settings import Settings, private_dir

PASSWORD = "pa55-Word-never-printed"


def sasl_settings(**overrides: object) -> Settings:
    return Settings(
        kafka_security_protocol="SASL_SSL", kafka_sasl_username="streams", kafka_sasl_password=PASSWORD, **overrides
    )


def test_settings_never_show_the_password() -> None:
    settings = sasl_settings()
    assert isinstance(settings.kafka_sasl_password, SecretStr)
    for shown in (repr(settings), str(settings), str(settings.model_dump()), settings.model_dump_json()):
        assert PASSWORD not in shown
    assert "**********" in settings.model_dump_json()


def test_the_password_reaches_clients_and_child_processes_in_clear() -> None:
    settings = sasl_settings()
    assert settings.sasl_password() == PASSWORD
    assert settings.kafka_client_options()["sasl_plain_password"] == PASSWORD
    env = settings.as_env()
    assert env["KAFKA_SASL_PASSWORD"] == PASSWORD
    # A worker started with that environment reads the same settings back.
    child = Settings(**{name.lower(): value for name, value in env.items()})
    assert child.sasl_password() == PASSWORD
    assert Settings().sasl_password() is None and "KAFKA_SASL_PASSWORD" not in Settings().as_env()


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("0.0.0.0", f"http://{socket.gethostname()}:6066"),
        ("::", f"http://{socket.gethostname()}:6066"),
        ("127.0.0.1", "http://127.0.0.1:6066"),
        ("worker-2.internal", "http://worker-2.internal:6066"),
        ("::1", "http://[::1]:6066"),
    ],
)
def test_canonical_url_is_never_a_wildcard_address(host: str, expected: str) -> None:
    """Two workers at http://0.0.0.0:6066 would each take every table key for their own."""
    assert Settings(worker_web_host=host, worker_web_port=6066).canonical_url() == expected


def test_an_explicit_canonical_url_wins() -> None:
    settings = Settings(worker_web_host="0.0.0.0", worker_canonical_url="http://worker-1:6066/")
    assert settings.canonical_url() == "http://worker-1:6066"


def test_private_dir_creates_and_tightens(tmp_path: Path) -> None:
    nested = private_dir(tmp_path / "a" / "b")
    assert stat.S_IMODE(nested.stat().st_mode) == 0o700
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    private_dir(loose)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700


# --- the SCRAM users' fingerprint ----------------------------------------------------------------------

USERS = (ScramUser("alice", "alice-secret"),)


def listener(users: tuple[ScramUser, ...] = USERS) -> SaslSslListener:
    return SaslSslListener(port=19999, keystore=Path("unused.p12"), keystore_password="x", users=users)


def test_fingerprints_are_salted() -> None:
    first, second = broker_module._users_fingerprint(USERS), broker_module._users_fingerprint(USERS)
    assert first != second  # a random salt each time
    for recorded in (first, second):
        assert broker_module._fingerprint_matches(recorded, USERS)
        assert not broker_module._fingerprint_matches(recorded, (ScramUser("alice", "other"),))
        assert "alice-secret" not in recorded
        assert broker_module._sha256(broker_module._users_json(USERS)) not in recorded
    assert not broker_module._fingerprint_matches("not json", USERS)


def test_an_unsalted_fingerprint_is_replaced_when_the_users_match(tmp_path: Path) -> None:
    local = LocalBroker(Settings(broker_dir=tmp_path, kafka_bootstrap_servers="127.0.0.1:19998"))
    legacy = tmp_path / "scram-users.sha256"
    legacy.write_text(broker_module._sha256(broker_module._users_json(USERS)))
    with pytest.raises(BrokerError, match="other SCRAM users"):
        local._check_scram_users(listener((ScramUser("bob", "bob-secret"),)))
    assert legacy.exists()
    local._check_scram_users(listener())
    assert not legacy.exists()
    salted = tmp_path / "scram-users.scrypt"
    assert stat.S_IMODE(salted.stat().st_mode) == 0o600
    assert broker_module._fingerprint_matches(salted.read_text(), USERS)
    local._check_scram_users(listener())  # and it is accepted from now on


def test_java_argument_file_quoting() -> None:
    assert broker_module._argfile_quote('a b"c\\d#e') == '"a b\\"c\\\\d#e"'
    with pytest.raises(ValueError, match="line break"):
        broker_module._argfile_quote("a\nb")
