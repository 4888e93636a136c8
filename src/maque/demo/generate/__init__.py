"""A synthetic county of any size, for tests and benchmarks (`maque generate`).

Towns, villages with groups, households and plots, people with their roles, the catalogue of each
town, and items in every state — written in batches, fast enough for a million items in a few
minutes on SQLite. The items are what the lifecycle would have produced: each state is reached by
an allowed sequence of actions, every action has its `Transition` row (with realistic times), a
closed item was verified by someone other than its owner and submitter, submitted work has its
evidence, suspensions and extensions have their approved requests, codes are unique per town and
year, and the town's `ItemCounter` is moved past the last code issued.

Items are written with plain multi-row inserts rather than through the lifecycle services (which
would take hours at this size), so they carry no per-field history rows; their `Transition` rows
are the record of what happened. Everything is derived from `seed`: the same arguments give the
same data set.

`dataset` holds `generate_dataset`; `organisation` the towns' people and places, `plans` and
`items` the items and their records, `inserts` the multi-row inserts.
"""

from maque.demo.generate.dataset import CAMPAIGN, Progress, Summary, generate_dataset
from maque.demo.generate.items import TITLES, VIA
from maque.demo.generate.organisation import (
    COUNTY_LAT,
    COUNTY_LON,
    GIVEN,
    GROUP_NAMES,
    PLACE,
    SURNAMES,
)
from maque.demo.generate.plans import STATE_WEIGHTS

__all__ = [
    "CAMPAIGN",
    "COUNTY_LAT",
    "COUNTY_LON",
    "GIVEN",
    "GROUP_NAMES",
    "PLACE",
    "STATE_WEIGHTS",
    "SURNAMES",
    "TITLES",
    "VIA",
    "Progress",
    "Summary",
    "generate_dataset",
]
