from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosisConfig(AppConfig):
    name = "maque.diagnosis"
    label = "diagnosis"
    verbose_name = _("Village diagnosis and watch list")
