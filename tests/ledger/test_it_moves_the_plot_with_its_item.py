"""A plot follows the items about it: restored when its 复耕 is closed out, abandoned again and
counted when that close-out relapses; each change in the plot's history."""

from __future__ import annotations

from maque.ledger import lifecycle
from maque.organisation.models import Plot

from ..conftest import drive_to_closed, make_item


def test_it_restores_the_plot_on_close_out_and_counts_a_relapse(world):  # noqa: ANN001
    plot = world.plots["gaige"]
    Plot.objects.filter(pk=plot.pk).update(status=Plot.Status.ABANDONED)
    item = drive_to_closed(world, make_item(world))
    plot.refresh_from_db()
    assert (plot.status, plot.relapse_count) == (Plot.Status.RESTORED, 0)
    restored = plot.history.first()
    assert item.code in restored.history_change_reason and restored.history_user == world.user(
        "contact_gaige"
    )

    lifecycle.item_reopen(item=item, by=world.user("inspector"), reason="回头看：再次撂荒")
    plot.refresh_from_db()
    assert (plot.status, plot.relapse_count) == (Plot.Status.ABANDONED, 1)
    assert [row.status for row in plot.history.order_by("history_date")][-2:] == [
        Plot.Status.RESTORED,
        Plot.Status.ABANDONED,
    ]


def test_it_leaves_a_plot_alone_when_the_item_does_not_restore_farming(world):  # noqa: ANN001
    plot = world.plots["gaige"]
    Plot.objects.filter(pk=plot.pk).update(status=Plot.Status.OCCUPIED)
    grave = make_item(
        world,
        category=world.category("grave"),
        title="占用耕地的坟墓",
        attributes={
            "location": "三组",
            "grave_type": "占用耕地",
            "action": "迁移",
            "plot": "GG-001",
        },
    )
    drive_to_closed(world, grave)
    plot.refresh_from_db()
    assert (plot.status, plot.relapse_count) == (Plot.Status.OCCUPIED, 0)
