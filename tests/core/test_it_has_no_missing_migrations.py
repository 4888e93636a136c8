"""Every model change comes with its migration: `makemigrations --check` finds nothing to write."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_it_has_no_missing_migrations():
    output = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=output, stderr=output)
    except SystemExit:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(
            f"a model change has no migration (run `maque manage makemigrations`):\n{output.getvalue()}"
        )
    assert "No changes detected" in output.getvalue()
