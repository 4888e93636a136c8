"""`maque setup`, `maque createadmin`, the server options and the rhythm timer."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from maque.core import server
from maque.core.management.commands.serve import server_options
from maque.ledger.models import Campaign, Category, CategoryField
from maque.organisation.models import Town

User = get_user_model()


def test_it_sets_up_idempotently_and_installs_the_catalogue_in_every_town(db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    Town.objects.create(name="蒿坪镇", short_name="蒿坪", code="hp", county="紫阳县")
    Town.objects.create(name="洞河镇", short_name="洞河", code="dh", county="紫阳县")
    output = StringIO()
    call_command("setup", stdout=output)
    assert (tmp_path / "static" / "admin" / "css" / "base.css").exists()
    assert Town.objects.count() == 2
    for town in Town.objects.all():
        codes = set(Category.objects.filter(town=town).values_list("code", flat=True))
        assert {
            "farmland-chief",
            "farmland-outflow",
            "greenhouse",
            "collective-contract",
            "grave",
        } <= codes
    counts = (Campaign.objects.count(), Category.objects.count(), CategoryField.objects.count())
    call_command("setup", stdout=StringIO())
    assert (
        Campaign.objects.count(),
        Category.objects.count(),
        CategoryField.objects.count(),
    ) == counts
    assert "2" in output.getvalue()


def test_it_creates_an_administrator_from_options(db):
    call_command(
        "createadmin",
        username="chief",
        password="Hp-strong-Passw0rd",
        email="chief@example.org",
        interactive=False,
        stdout=StringIO(),
    )
    user = User.objects.get(username="chief")
    assert user.is_superuser and user.is_staff and user.email == "chief@example.org"
    assert authenticate(username="chief", password="Hp-strong-Passw0rd") == user


def test_it_creates_an_administrator_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("MAQUE_ADMIN_USERNAME", "envadmin")
    monkeypatch.setenv("MAQUE_ADMIN_PASSWORD", "Env-strong-Passw0rd")
    call_command("createadmin", interactive=False, stdout=StringIO())
    assert User.objects.get(username="envadmin").is_superuser


def test_it_promotes_an_existing_account(db):
    User.objects.create_user(username="clerk", password="old-Password-1")
    output = StringIO()
    call_command(
        "createadmin",
        username="clerk",
        password="New-strong-Passw0rd",
        interactive=False,
        stdout=output,
    )
    clerk = User.objects.get(username="clerk")
    assert clerk.is_superuser and clerk.check_password("New-strong-Passw0rd")
    assert User.objects.filter(username="clerk").count() == 1


def test_it_refuses_a_weak_password_or_missing_values_and_changes_nothing(db, monkeypatch):
    monkeypatch.delenv("MAQUE_ADMIN_USERNAME", raising=False)
    monkeypatch.delenv("MAQUE_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError):
        call_command("createadmin", username="weak", password="123", interactive=False)
    with pytest.raises(CommandError):
        call_command("createadmin", password="Hp-strong-Passw0rd", interactive=False)
    with pytest.raises(CommandError):
        call_command("createadmin", username="nopass", interactive=False)
    assert not User.objects.exists()


def test_it_reads_server_options_from_the_environment_strictly(monkeypatch):
    for name in (
        "MAQUE_BIND",
        "MAQUE_WORKERS",
        "MAQUE_THREADS",
        "MAQUE_TICK_SECONDS",
        "MAQUE_PORT",
    ):
        monkeypatch.delenv(name, raising=False)
    defaults = server_options({})
    assert (
        defaults.bind == "127.0.0.1:8000" and defaults.workers == 2 and defaults.tick_seconds == 60
    )
    monkeypatch.setenv("MAQUE_PORT", "8123")
    assert server_options({}).bind == "127.0.0.1:8123"
    monkeypatch.setenv("MAQUE_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("MAQUE_WORKERS", "3")
    monkeypatch.setenv("MAQUE_TICK_SECONDS", "0")
    options = server_options({"threads": 8})
    assert (options.bind, options.workers, options.threads, options.tick_seconds) == (
        "0.0.0.0:9000",
        3,
        8,
        0,
    )
    assert server_options({"bind": "127.0.0.1:7000", "workers": 1}).bind == "127.0.0.1:7000"
    monkeypatch.setenv("MAQUE_WORKERS", "many")
    with pytest.raises(CommandError):
        server_options({})
    monkeypatch.setenv("MAQUE_WORKERS", "2")
    with pytest.raises(CommandError):
        server_options({"threads": 0})


def test_the_ticker_survives_a_failing_tick(monkeypatch):
    calls = []

    def failing(name, **kwargs):  # noqa: ANN001, ANN003, ANN202
        calls.append(name)
        raise RuntimeError("database is on fire")

    monkeypatch.setattr(server, "call_command", failing)
    ticker = server.Ticker(60)
    assert ticker.run_once() is False
    assert calls == ["tick"]


def test_the_ticker_stays_off_without_a_tick_command_or_an_interval(monkeypatch):
    assert server.Ticker(0).start() is False
    monkeypatch.setattr(server, "get_commands", lambda: {"serve": "maque.core"})
    assert server.Ticker(60).start() is False


def test_the_ticker_runs_the_tick_command_when_there_is_one(monkeypatch):
    ran = []
    monkeypatch.setattr(server, "get_commands", lambda: {"tick": "maque.rhythm"})
    monkeypatch.setattr(server, "call_command", lambda name, **kwargs: ran.append(name))
    ticker = server.Ticker(1, first_delay=0.01)
    assert ticker.start() is True
    try:
        for _ in range(200):
            if ran:
                break
            ticker._stop.wait(0.05)
    finally:
        ticker.stop()
    assert ran and ran[0] == "tick"


def test_the_demo_refuses_to_run_in_production_mode(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("demo", "--no-serve", stdout=StringIO())
    assert not Town.objects.exists()


def test_it_lists_every_command_of_its_own_in_the_help():
    import pkgutil
    from pathlib import Path

    import maque
    from maque.cli import USAGE

    package = Path(maque.__file__).resolve().parent
    commands = {
        module.name
        for folder in package.glob("*/management/commands")
        for module in pkgutil.iter_modules([str(folder)])
    }
    assert {"tick", "bulletin", "ledger", "calendar", "backup", "restore"} <= commands
    listed = {
        line.split()[0] for line in USAGE.splitlines() if line.startswith("  ") and line.strip()
    }
    assert commands <= listed, sorted(commands - listed)


def test_it_keeps_quiet_when_a_tick_changes_nothing(db):  # noqa: ANN001
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("tick", stdout=out)
    call_command("tick", stdout=out)
    assert out.getvalue().strip() == ""
    verbose = io.StringIO()
    call_command("tick", stdout=verbose, verbosity=2)
    assert "escalat" in verbose.getvalue()
