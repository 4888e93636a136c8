"""Headers and deployment: private responses are never cached, every page loads only this
server's files, production passes Django's deployment checks, the API docs sit behind sign-in
there, and the data directory is the server user's alone."""

from __future__ import annotations

import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

import maque
from maque.ledger.models import Attachment

from ..conftest import add_evidence, make_item

PACKAGE = Path(maque.__file__).resolve().parent
PRODUCTION = {
    "MAQUE_MODE": "production",
    "MAQUE_SECRET_KEY": secrets.token_urlsafe(50),
    "MAQUE_ALLOWED_HOSTS": "maque.example.org",
}


def run(tmp_path: Path, code: str, **variables: str) -> subprocess.CompletedProcess[str]:
    # Not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE either (set for the rest of the session once
    # they have run in this process): the deployment checks rightly refuse it.
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("MAQUE_") and name != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        {
            "MAQUE_VAR_DIR": str(tmp_path / "var"),
            "DJANGO_SETTINGS_MODULE": "maque.settings",
            **variables,
        }
    )
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )


def test_it_keeps_signed_in_pages_and_json_out_of_every_cache(client, world):  # noqa: ANN001
    anonymous = client.get("/login/")
    assert anonymous["Content-Security-Policy"].startswith("default-src 'self'")
    client.force_login(world.user("principal"))
    for path in ("/", "/ledger/", "/api/v1/items"):
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], path
        assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "no-store" in Client().get("/api/v1/items")["Cache-Control"]  # even a refusal


def test_it_has_no_inline_script_or_style_that_the_policy_would_block():
    offending = []
    for template in PACKAGE.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        if re.search(r"\sstyle=\"", text) or re.search(r"\son[a-z]+=\"", text):
            offending.append(template.name)
        if "<style" in text or "javascript:" in text:
            offending.append(f"{template.name}: <style> or javascript: link")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offending.append(f"{template.name}: {tag}")
    assert offending == []


def test_it_passes_the_deployment_checks_in_production(tmp_path):
    code = "import sys; from maque.cli import main; sys.exit(main(['manage', 'check', '--deploy', '--fail-level', 'WARNING']))"
    result = run(tmp_path, code, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("setting", "docs", "document"), [("", 302, 302), ("public", None, 200), ("off", 404, 404)]
)
def test_it_keeps_the_api_docs_behind_sign_in_in_production(tmp_path, setting, docs, document):
    # The docs page itself needs collected static files, which a bare test directory lacks: its
    # status is asked only where it does not render (a redirect to sign-in, or no page at all).
    code = (
        "import django; django.setup(); from django.test import Client; c = Client(); "
        "print(c.get('/api/v1/openapi.json', secure=True, HTTP_HOST='maque.example.org').status_code, "
        "c.get('/api/v1/docs', secure=True, HTTP_HOST='maque.example.org').status_code if %r else '-')"
        % bool(docs)
    )
    variables = {**PRODUCTION, **({"MAQUE_API_DOCS": setting} if setting else {})}
    result = run(tmp_path, code, **variables)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(document), str(docs) if docs else "-"]


def test_it_creates_the_data_directory_for_its_owner_only(tmp_path):
    result = run(tmp_path, "import maque.settings", MAQUE_MODE="demo")
    assert result.returncode == 0, result.stderr
    var = tmp_path / "var"
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE((var / "secret_key").stat().st_mode) == 0o600


def test_it_stores_evidence_readable_by_the_server_only(world):  # noqa: ANN001
    add_evidence(world, make_item(world))
    path = Path(Attachment.objects.get().file.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
