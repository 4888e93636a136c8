"""A plot follows the items about it (撂荒地治理): closing an item whose target use restores the
land (复耕, 复垦, 复种) marks the plot restored; reopening a closed one (a look-back relapse, a
false close-out) marks it abandoned again and counts a relapse. Every change is in the plot's
history, with the item and the action as its reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maque.ledger.models import FieldType, Item
from maque.organisation.models import Plot

if TYPE_CHECKING:
    from maque.ledger.lifecycle.machinery import Context

# The target uses that give the land back to farming.
RESTORING_USES = frozenset({"复耕", "复垦", "复种"})
TARGET_USE = "target_use"


def item_plot(item: Item) -> Plot | None:
    """The plot the item is about: its own plot, else the plot its category's plot field names."""
    if item.plot_id:
        return item.plot
    if item.category is not None:
        for field in item.category.fields.all():
            code = item.attributes.get(field.name) if field.type == FieldType.PLOT else None
            if code:
                return Plot.objects.filter(village_id=item.village_id, code=code).first()
    return None


def restores_land(item: Item) -> bool:
    return (item.attributes or {}).get(TARGET_USE) in RESTORING_USES


def _locked_plot(item: Item) -> Plot | None:
    plot = item_plot(item) if restores_land(item) else None
    return Plot.objects.select_for_update().get(pk=plot.pk) if plot is not None else None


def _save(plot: Plot, ctx: Context, reason: str, fields: list[str]) -> None:
    plot._history_user = ctx.user  # type: ignore[attr-defined]
    plot._change_reason = reason[:100]  # type: ignore[attr-defined]
    plot.save(update_fields=fields)


def plot_restored(item: Item, ctx: Context) -> None:
    """The item that restores the plot is closed out: the plot is restored."""
    plot = _locked_plot(item)
    if plot is not None and plot.status != Plot.Status.RESTORED:
        plot.status = Plot.Status.RESTORED
        _save(plot, ctx, f"{ctx.via}: verify {item.code}", ["status"])


def plot_relapsed(item: Item, ctx: Context) -> None:
    """A closed item that restored the plot is reopened: the land relapsed."""
    plot = _locked_plot(item)
    if plot is not None:
        plot.status = Plot.Status.ABANDONED
        plot.relapse_count += 1
        _save(plot, ctx, f"{ctx.via}: reopen {item.code}", ["status", "relapse_count"])
