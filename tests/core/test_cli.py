"""The command line as a script would use it: JSON output, exit codes, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amends.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"AMENDS_HOME": str(tmp_path / "ws"), "AMENDS_DATABASE_URL": db_url}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@pytest.mark.slow
def test_demo_then_cases_list_prints_json_lines(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(app, ["cases", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = lines(listed.stdout)
    assert len(rows) >= 20
    for row in rows:
        assert {"id", "ref", "customer_id", "state", "severity", "owner", "opened_at"} <= set(row)
        assert row["ref"] == f"C-{row['id']}"
    # Running the demo again reuses the workspace instead of loading a second copy.
    again = runner.invoke(app, ["demo", "--no-serve"])
    assert again.exit_code == 0
    assert len(lines(runner.invoke(app, ["cases", "list", "--json"]).stdout)) == len(rows)

    shown = runner.invoke(app, ["cases", "show", str(rows[0]["id"]), "--json"])
    assert shown.exit_code == 0
    case = json.loads(shown.stdout)
    assert case["id"] == rows[0]["id"] and case["timeline"][0]["kind"] == "opened"

    customers = lines(runner.invoke(app, ["customers", "list", "--json"]).stdout)
    assert len(customers) >= 36
    assert {c["language"] for c in customers} >= {"th", "sk", "el", "en"}


def test_show_missing_case_is_a_refusal_with_exit_1(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["cases", "show", "999999"])
    assert result.exit_code == 1
    assert "case-not-found" in result.stderr


def test_users_and_tokens(env: dict[str, str]) -> None:
    added = runner.invoke(
        app,
        [
            "users",
            "add",
            "Agent@Example.com",
            "--name",
            "Ľubica Agentová",
            "--role",
            "agent",
            "--password-stdin",
            "--json",
        ],
        input="a long enough password\n",
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["email"] == "agent@example.com"
    duplicate = runner.invoke(
        app, ["users", "add", "agent@example.com", "--name", "X", "--role", "agent"]
    )
    assert duplicate.exit_code == 1 and "user-exists" in duplicate.stderr
    token = runner.invoke(app, ["tokens", "create", "--user", "agent@example.com"])
    assert token.exit_code == 0
    assert token.stdout.strip().startswith("amd_")
    bad_role = runner.invoke(
        app, ["users", "add", "x@example.com", "--name", "X", "--role", "king"]
    )
    assert bad_role.exit_code == 2


def test_bad_configuration_fails_fast_with_the_variable_named(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMENDS_TIMEZONE", "Mars/Olympus_Mons")
    result = runner.invoke(app, ["cases", "list"])
    assert result.exit_code == 2
    assert "AMENDS_TIMEZONE" in result.stderr
    monkeypatch.setenv("AMENDS_TIMEZONE", "UTC")
    monkeypatch.setenv("AMENDS_LANGUAGES", "en,xx")
    result = runner.invoke(app, ["cases", "list"])
    assert result.exit_code == 2
    assert "AMENDS_LANGUAGES" in result.stderr and "xx" in result.stderr


def test_help_lists_every_command_and_each_loads() -> None:
    # Sub-commands load on first use; the listing must still name every one of them.
    from amends.cli import LAZY_COMMANDS, load_command

    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in [*LAZY_COMMANDS, "init", "migrate", "serve", "worker", "demo"]:
        assert f" {name} " in result.stdout, name
    for name, (_target, help_text) in LAZY_COMMANDS.items():
        command = load_command(name)
        assert command.name == name
        # The listed line is the command's own first line, not a stale copy.
        assert (command.help or "").splitlines()[0].strip() == help_text
        sub = runner.invoke(app, [name, "--help"])
        assert sub.exit_code == 0, (name, sub.output)
        assert f"amends {name}" in sub.stdout
    typo = runner.invoke(app, ["reprot"])
    assert typo.exit_code == 2 and "Did you mean 'report'?" in typo.output


def test_report_imports_only_what_it_needs(tmp_path: Path) -> None:
    # `amends report` is run by scripts; it must not pay for the web stack or the
    # language tools. Checked in a fresh interpreter, which is what a command gets.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from amends.cli import load_command\n"
        "load_command('report')\n"
        "heavy = [m for m in ('fastapi', 'uvicorn', 'lingua', 'jinja2', 'starlette', 'alembic', 'rich')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert found.stdout.strip() == ""
