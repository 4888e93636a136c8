"""`maque backup` and `maque restore` on PostgreSQL (`pg_dump` and `pg_restore`): a live
installation under writes is archived, restored into a new, empty database, and serves every item
and its evidence. Runs when the suite itself runs on PostgreSQL (`.ci/run` does), in two databases
of its own on the same server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.core.test_it_backs_up_and_restores import HERE, SERVE_AND_CHECK, environment

SERVER_URL = os.environ.get("MAQUE_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not SERVER_URL.startswith(("postgres://", "postgresql://")) or shutil.which("pg_dump") is None,
    reason="the suite runs on SQLite, or pg_dump is not installed",
)


def _url(database: str) -> str:
    parts = urlsplit(SERVER_URL)
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two new, empty databases on the suite's server: the live installation's and the restore's."""
    import psycopg

    suffix = uuid.uuid4().hex[:8]
    names = (f"maque_backup_live_{suffix}", f"maque_backup_fresh_{suffix}")
    admin = urlsplit(_url("postgres")).geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        for name in names:
            connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield names
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _maque(var: Path, database: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = environment(var) | {"MAQUE_DATABASE_URL": _url(database)}
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "maque.cli", *args],
        env=env,
        cwd=var.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_it_restores_a_live_postgres_backup_into_an_empty_database(databases, tmp_path):  # noqa: ANN001
    live_db, fresh_db = databases
    live = tmp_path / "live"
    live.mkdir(mode=0o700)
    _maque(live, live_db, "manage", "migrate", "--verbosity", "0")
    writer = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, str(HERE / "backup_writer.py"), str(tmp_path)],
        env=environment(live) | {"MAQUE_DATABASE_URL": _url(live_db)},
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "ready").exists():
            assert writer.poll() is None and time.monotonic() < deadline, "the writer did not start"
            time.sleep(0.1)
        archive = tmp_path / "archive.tar.gz"
        _maque(live, live_db, "backup", "-o", str(archive))
    finally:
        (tmp_path / "stop").write_text("")
        assert writer.wait(timeout=60) == 0
    written = int((tmp_path / "written").read_text())
    with tarfile.open(archive) as opened:
        manifest = json.loads(opened.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["engine"] == "postgresql" and manifest["database"].endswith(".pgdump")
    fresh = tmp_path / "fresh"
    fresh.mkdir(mode=0o700)
    _maque(fresh, fresh_db, "restore", str(archive))
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", SERVE_AND_CHECK],
        env=environment(fresh) | {"MAQUE_DATABASE_URL": _url(fresh_db)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    restored = json.loads(result.stdout.strip().splitlines()[-1])
    # One consistent moment: at least the first five, no more than were written, each with its photo.
    assert 5 <= restored["items"] <= written
    assert restored["attachments"] == restored["attachment_rows"] == restored["items"]
