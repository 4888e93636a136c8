from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "maque.decisions"
    label = "decisions"
    verbose_name = _("Village decisions (四议两公开)")
