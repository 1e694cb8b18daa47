"""`amends privacy export` writes a private zip; `amends privacy erase` asks first, then
erases and deletes the customer's files, like the API."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from amends.intake import store
from tests.conftest import AMENDS
from tests.privacy.conftest import Demo, files_under


def _amends(demo: Demo, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        AMENDS_HOME=str(demo.settings.home),
        AMENDS_DATABASE_URL=demo.engine.url.render_as_string(hide_password=False),
        LANG="C.UTF-8",
    )
    return subprocess.run(
        [AMENDS, *args], env=env, input=stdin, capture_output=True, text=True, check=False
    )


@pytest.mark.slow
def test_cli_exports_a_private_zip_then_erases_only_when_confirmed(
    demo: Demo, tmp_path: Path
) -> None:
    target = tmp_path / "bakery.zip"
    made = _amends(demo, "privacy", "export", str(demo.customer_id), "-o", str(target), "--json")
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(made.stdout)["messages"] >= 1
    assert "messages.json" in zipfile.ZipFile(target).namelist()
    again = _amends(demo, "privacy", "export", str(demo.customer_id), "-o", str(target))
    assert again.returncode == 2 and "already exists" in again.stderr

    declined = _amends(demo, "privacy", "erase", str(demo.customer_id), stdin="n\n")
    assert declined.returncode == 1
    assert files_under(store.raw_root(demo.settings.home))

    erased = _amends(demo, "privacy", "erase", str(demo.customer_id), "--yes", "--json")
    assert erased.returncode == 0, erased.stderr
    assert json.loads(erased.stdout)["files_removed"] == 3
    assert not files_under(store.raw_root(demo.settings.home))
    assert not files_under(store.attachments_root(demo.settings.home))
    missing = _amends(demo, "privacy", "erase", "99999", "--yes")
    assert missing.returncode == 1 and "customer-not-found" in missing.stderr


@pytest.mark.slow
def test_cli_speaks_the_terminal_language(demo: Demo, tmp_path: Path) -> None:
    env_lang = {"LANG": "sk_SK.UTF-8"}
    target = tmp_path / "x.zip"
    result = subprocess.run(
        [AMENDS, "privacy", "export", str(demo.customer_id), "-o", str(target)],
        env=dict(
            os.environ,
            AMENDS_HOME=str(demo.settings.home),
            AMENDS_DATABASE_URL=demo.engine.url.render_as_string(hide_password=False),
            **env_lang,
        ),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "exported customer" not in result.stdout
    assert str(target) in result.stdout
