"""摸排登记 on a phone: a refused registration starts with a summary of its problems, each linking
to its field, focused on arrival; a chosen photo is asked for again rather than silently dropped."""

from __future__ import annotations

import re

from maque.ledger.models import Item
from tests.conftest import photo


def test_it_lists_every_problem_at_the_top_with_a_link_to_its_field(client, world):  # noqa: ANN001
    category = world.category("farmland-outflow")
    client.force_login(world.user("cadre_gaige"))
    response = client.post(
        "/register/",
        {
            "category": category.pk,
            "village": world.gaige.pk,
            "title": "撂荒地",
            "photo": photo("field.jpg"),
        },
    )
    assert response.status_code == 422 and not Item.objects.filter(title="撂荒地").exists()
    page = response.content.decode()
    summary = re.search(r'<div class="alert alert-danger error-summary".*?</div>', page, re.S)
    assert summary is not None and "autofocus" in summary.group(0)
    # The summary comes before the first field, and links each required category field.
    assert page.index("error-summary") < page.index('id="id_category"')
    required = [f"attr_{field.name}" for field in category.fields.all() if field.required]
    assert required and all(f'href="#id_{name}"' in summary.group(0) for name in required)
    # The photo is not silently lost: the page names it and asks for it again, at the top too.
    assert (
        "field.jpg" in page
        and 'id="photo-again"' in page
        and 'href="#id_photo"' in summary.group(0)
    )


def test_it_shows_no_summary_on_a_fresh_form(client, world):  # noqa: ANN001
    client.force_login(world.user("cadre_gaige"))
    page = client.get("/register/").content.decode()
    assert "error-summary" not in page and "photo-again" not in page
