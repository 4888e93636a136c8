"""The roles a person holds in a town or village (design §6), apart from the models so that the
actor and the scope rules can use them without importing the models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PRINCIPAL = "principal", _("principal leader (主要领导)")
    LEADER = "leader", _("leader in charge (分管领导)")
    CONTACT_LEADER = "contact_leader", _("village-contact leader (联村领导)")
    CADRE = "cadre", _("cadre (镇村干部)")
    SECRETARY = "secretary", _("village party secretary (支部书记)")
    INSPECTOR = "inspector", _("inspection group (督查考评组)")
    DISCIPLINE = "discipline", _("discipline commission (镇纪委)")
    COUNTY_SUPERVISOR = "county_supervisor", _("county supervisor")


# Roles that cover a whole town rather than assigned villages.
TOWN_WIDE_ROLES = frozenset(
    {Role.PRINCIPAL, Role.LEADER, Role.INSPECTOR, Role.DISCIPLINE, Role.COUNTY_SUPERVISOR}
)
VILLAGE_ROLES = frozenset({Role.CONTACT_LEADER, Role.CADRE, Role.SECRETARY})
