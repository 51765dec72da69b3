"""Configuration comes from the environment, fails loudly on nonsense, and is production-safe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from mappa.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def _production_environment() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_deploy_checks_pass_with_the_production_variables_from_env_example() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_environment())

    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_secret_key_with_debug_off_stops_start_up() -> None:
    result = _manage("check", env={"DEBUG": "false"})

    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_sqlite_under_var_when_no_database_url() -> None:
    result = _manage(
        "shell",
        "-c",
        "from django.db import connection; print(connection.vendor, connection.settings_dict['NAME'])",
        env={"DEBUG": "true"},
    )

    assert result.returncode == 0, result.stderr
    assert "sqlite " in result.stdout
    assert str(ROOT / "var") in result.stdout


def test_without_redis_url_tasks_run_in_process() -> None:
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)",
        env={"DEBUG": "true"},
    )

    assert result.stdout.strip().endswith("True")


def test_env_bool_refuses_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be true or false"):
        env_bool("SOME_FLAG", False)


def test_env_int_refuses_nonsense_and_values_below_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("SOME_NUMBER", 1)
    monkeypatch.setenv("SOME_NUMBER", "-3")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("SOME_NUMBER", 1)


def test_env_list_splits_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_HOSTS", "a.example, b.example,,")
    assert env_list("SOME_HOSTS", []) == ["a.example", "b.example"]


def test_bad_environment_value_stops_start_up() -> None:
    result = _manage("check", env={"DEBUG": "maybe"})

    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_uk_date_formats_and_london_time(settings) -> None:  # type: ignore[no-untyped-def]
    import datetime

    from django.utils import formats, timezone

    assert settings.TIME_ZONE == "Europe/London"
    summer = timezone.make_aware(datetime.datetime(2026, 7, 1, 14, 5))
    assert formats.date_format(summer.date()) == "1 July 2026"
    assert formats.date_format(timezone.localtime(summer), "DATETIME_FORMAT") == "1 July 2026 at 14:05"
