"""The diagnosis's steps of `maque tick`: each day's village snapshots, the watch list's weekly
proposals (and exit proposals), and the weekly diagnosis pack with the watch list in it."""

from __future__ import annotations

from datetime import datetime

from maque.deliberation.figures import week_topic_figures
from maque.diagnosis.queries import pack_entries
from maque.diagnosis.services import entries_propose, exits_propose
from maque.diagnosis.snapshots import snapshots_write
from maque.diagnosis.sources import SOURCES
from maque.meetings import tick as meetings_tick
from maque.organisation.models import Town
from maque.projects.queries import rule_rows
from maque.rhythm.models import rhythm_settings


def write_snapshots(*, now: datetime) -> int:
    """Write today's snapshot of every village of every town (rewriting today's earlier ones)."""
    written = 0
    for town in Town.objects.order_by("pk"):
        written += snapshots_write(
            town=town,
            now=now,
            stale_days=rhythm_settings(town).stale_days,
            sources=SOURCES,
        )
    return written


def propose_watch_list(*, now: datetime) -> int:
    """Propose this week's watch-list entries, and the exits whose numbers are back to normal,
    for every town (after today's snapshots: this step runs after `write_snapshots`)."""
    effects = 0
    for town in Town.objects.order_by("pk"):
        effects += entries_propose(town=town, now=now, projects=rule_rows)
        effects += exits_propose(town=town, now=now, projects=rule_rows)
    return effects


def draft_weekly_diagnosis(*, now: datetime) -> int:
    """The weekly diagnosis (`maque.meetings.tick`), its pack listing the watch list and each
    village's topic figures of the week."""
    return meetings_tick.draft_weekly_diagnosis(
        now=now, watch_list=pack_entries, topics=week_topic_figures
    )
