from __future__ import annotations

import stat
from pathlib import Path

import pytest

from amends.config import Settings, load_settings
from amends.errors import ConfigError


def test_defaults_put_sqlite_in_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert settings.database_url == f"sqlite:///{(tmp_path / 'amends.db').resolve()}"
    assert settings.languages == ("en", "th", "sk", "cs", "el")
    assert settings.is_sqlite


def test_languages_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AMENDS_HOME", str(tmp_path))
    monkeypatch.setenv("AMENDS_LANGUAGES", " th , el,th")
    assert load_settings().languages == ("th", "el")


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("AMENDS_TIMEZONE", "Europe/Atlantis", "unknown IANA timezone"),
        ("AMENDS_CURRENCY", "XYZ1", "unknown ISO 4217 currency"),
        ("AMENDS_LANGUAGES", "", "at least one language"),
        ("AMENDS_DATABASE_URL", "mysql://x", "use sqlite"),
        ("AMENDS_LOG_LEVEL", "LOUD", "use DEBUG"),
    ],
)
def test_bad_values_fail_with_the_variable_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, fragment: str
) -> None:
    monkeypatch.setenv("AMENDS_HOME", str(tmp_path))
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert variable in caught.value.message
    assert fragment in caught.value.message


def test_plain_postgresql_url_uses_psycopg3(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url="postgresql://u@h/db")
    assert settings.database_url == "postgresql+psycopg://u@h/db"


def test_secret_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "ws")
    first = settings.secret()
    assert len(first) >= 48
    assert settings.secret() == first
    mode = stat.S_IMODE((tmp_path / "ws" / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_configured_secret_wins(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, secret_key="from-the-environment")  # type: ignore[arg-type]
    assert settings.secret() == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
    assert "from-the-environment" not in repr(settings)
