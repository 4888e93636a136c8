"""Run `tick` in a separate process, started together with others through a file barrier.

Usage: python tests/rhythm/tick_runner.py BARRIER_DIR INDEX PARTIES NOW [STEP …]
The database comes from MAQUE_DATABASE_URL (the test database of the calling test).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main() -> int:
    barrier, index, parties, now_text, *steps = sys.argv[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maque.settings")
    import django

    django.setup()
    from datetime import datetime

    from django.utils import timezone

    from maque.rhythm.tick import STEPS, tick

    # Everyone imports Django first, then all start at once.
    Path(barrier, f"ready-{index}").touch()
    deadline = time.monotonic() + 120
    while len(list(Path(barrier).glob("ready-*"))) < int(parties):
        if time.monotonic() > deadline:
            print("barrier timeout", file=sys.stderr)
            return 2
        time.sleep(0.005)
    now = timezone.make_aware(datetime.fromisoformat(now_text))
    result = tick(now=now, steps=steps or STEPS)
    print(
        json.dumps({"effects": result.effects, "failed": result.failed, "skipped": result.skipped})
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
