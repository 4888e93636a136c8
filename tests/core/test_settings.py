"""Start-up checks: production refuses unsafe settings; every variable is parsed strictly.

Each case imports the settings in a fresh interpreter with a controlled environment, the way
`maque serve` would start, and asserts the refusal and its message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from maque.core.env import Env

GOOD_KEY = "k" * 50
PRODUCTION = {
    "MAQUE_MODE": "production",
    "MAQUE_SECRET_KEY": GOOD_KEY,
    "MAQUE_ALLOWED_HOSTS": "maque.example.org",
}
SHOW = (
    "import json, maque.settings as s; print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, "
    "'key': s.SECRET_KEY, 'engine': s.DATABASES['default']['ENGINE'], 'secure': s.SESSION_COOKIE_SECURE, "
    "'language': s.LANGUAGE_CODE, 'tz': s.TIME_ZONE}))"
)


def start(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a new interpreter with only these MAQUE_* variables set."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("MAQUE_")}
    env.update({"MAQUE_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "maque.settings"})
    env.update(variables)
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", SHOW],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )


def refused(result: subprocess.CompletedProcess[str], message: str) -> bool:
    return (
        result.returncode != 0
        and "ImproperlyConfigured" in result.stderr
        and message in result.stderr
    )


def test_it_starts_in_production_with_a_key_hosts_and_debug_off(tmp_path):
    result = start(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["debug"] is False
    assert shown["hosts"] == ["maque.example.org"]
    assert shown["key"] == GOOD_KEY
    assert shown["secure"] is True
    assert (shown["language"], shown["tz"]) == ("zh-hans", "Asia/Shanghai")
    # Production never writes a generated key.
    assert not (tmp_path / "var" / "secret_key").exists()


def test_it_refuses_production_without_a_secret_key(tmp_path):
    result = start(tmp_path, **{**PRODUCTION, "MAQUE_SECRET_KEY": ""})
    assert refused(result, "MAQUE_SECRET_KEY is required when MAQUE_MODE=production"), result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


def test_it_refuses_production_with_a_short_secret_key(tmp_path):
    result = start(tmp_path, **{**PRODUCTION, "MAQUE_SECRET_KEY": "short-and-guessable"})
    assert refused(result, "MAQUE_SECRET_KEY must be at least 32 characters"), result.stderr


@pytest.mark.parametrize("value", ["true", "1", "yes", "ON"])
def test_it_refuses_production_with_debug_on(tmp_path, value):
    result = start(tmp_path, **PRODUCTION, MAQUE_DEBUG=value)
    assert refused(result, "MAQUE_DEBUG must be off when MAQUE_MODE=production"), result.stderr


def test_it_refuses_production_without_allowed_hosts(tmp_path):
    result = start(tmp_path, **{**PRODUCTION, "MAQUE_ALLOWED_HOSTS": " , "})
    assert refused(result, "MAQUE_ALLOWED_HOSTS is required when MAQUE_MODE=production"), (
        result.stderr
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"MAQUE_DEBUG": "ture"}, "MAQUE_DEBUG='ture' is not a boolean"),
        ({"MAQUE_DEBUG": "2"}, "MAQUE_DEBUG='2' is not a boolean"),
        ({"MAQUE_DEMO_BANNER": "maybe"}, "MAQUE_DEMO_BANNER='maybe' is not a boolean"),
        ({"MAQUE_MODE": "prod"}, "MAQUE_MODE='prod' must be one of: demo, production"),
        ({"MAQUE_MAX_UPLOAD_MB": "ten"}, "MAQUE_MAX_UPLOAD_MB='ten' is not a whole number"),
        ({"MAQUE_MAX_UPLOAD_MB": "0"}, "MAQUE_MAX_UPLOAD_MB=0 must be at least 1"),
        ({"MAQUE_DB_CONN_MAX_AGE": "-5"}, "MAQUE_DB_CONN_MAX_AGE=-5 must be at least 0"),
        ({"MAQUE_DATABASE_URL": "nonsense"}, "MAQUE_DATABASE_URL is not a database URL"),
        (
            {**PRODUCTION, "MAQUE_SECURE_COOKIES": "sure"},
            "MAQUE_SECURE_COOKIES='sure' is not a boolean",
        ),
    ],
)
def test_it_refuses_values_it_cannot_parse(tmp_path, variables, message):
    result = start(tmp_path, **variables)
    assert refused(result, message), result.stderr


def test_it_generates_and_keeps_a_demo_key_under_var(tmp_path):
    first = start(tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    second = start(tmp_path)
    key = json.loads(first.stdout)["key"]
    assert (
        len(key) >= 50 and key == json.loads(second.stdout)["key"] == key_file.read_text().strip()
    )
    shown = json.loads(first.stdout)
    assert shown["debug"] is False and shown["engine"] == "django.db.backends.sqlite3"
    assert "127.0.0.1" in shown["hosts"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        (" on ", True),
        ("0", False),
        ("FALSE", False),
        ("no", False),
        ("off", False),
    ],
)
def test_it_reads_booleans_in_the_usual_spellings(raw, expected):
    assert Env({"X": raw}).bool("X", not expected) is expected


@pytest.mark.parametrize("raw", ["ture", "y", "2", "enabled", "真"])
def test_it_refuses_any_other_boolean(raw):
    with pytest.raises(ImproperlyConfigured, match="is not a boolean"):
        Env({"X": raw}).bool("X", False)


def test_it_takes_the_default_for_blank_values_and_splits_lists():
    env = Env({"BLANK": "  ", "HOSTS": " a.example, ,b.example ", "N": " 7 "})
    assert env.bool("BLANK", True) is True
    assert env.str("BLANK", "default") == "default"
    assert env.list("HOSTS", []) == ["a.example", "b.example"]
    assert env.int("N", 0, minimum=1) == 7
    assert env.int("MISSING", 3) == 3
