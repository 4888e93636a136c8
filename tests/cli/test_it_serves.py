"""`maque serve` starts the real server in a subprocess and answers HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url)  # noqa: S310 - always http://127.0.0.1 here
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


@pytest.mark.slow
def test_it_serves_http_with_the_embedded_server(tmp_path: Path):
    port = _free_port()
    env = {
        **os.environ,
        "MAQUE_VAR_DIR": str(tmp_path),
        "MAQUE_MODE": "demo",
        # A tick every second on a database that was never set up: it fails, the server stays up.
        "MAQUE_TICK_SECONDS": "1",
    }
    env.pop("MAQUE_DATABASE_URL", None)
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "maque.cli",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "2",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        status = None
        for _ in range(240):
            try:
                status, _body = _get(base + "/api/v1/openapi.json")
                break
            except OSError:  # not listening yet (URLError, reset, timeout)
                assert process.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.25)
        assert status == 200
        status, body = _get(base + "/api/v1/openapi.json")
        assert status == 200 and json.loads(body)["openapi"].startswith("3.")
        status, _body = _get(base + "/")
        assert status in (200, 302)
        # Wait for the rhythm timer to have fired (and failed, or found no command), then ask again.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            text = (tmp_path / "serve.log").read_text()
            if "tick` failed" in text or "no `tick` command" in text:
                break
            time.sleep(0.25)
        text = (tmp_path / "serve.log").read_text()
        assert "rhythm timer" in text
        assert process.poll() is None
        assert _get(base + "/api/v1/openapi.json")[0] == 200
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    assert process.returncode == 0, (tmp_path / "serve.log").read_text()
