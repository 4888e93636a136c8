import pytest

from maque.demo.town import DemoError, demo_build
from maque.organisation.models import Person, Town, Village


def test_it_refuses_to_mix_the_demo_into_a_real_town(db):
    Town.objects.create(name="真实镇", short_name="真实", code="hp", county="某县")
    with pytest.raises(DemoError):
        demo_build()
    assert not Village.objects.exists() and not Person.objects.exists()
