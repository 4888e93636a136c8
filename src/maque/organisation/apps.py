from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "maque.organisation"
    label = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # Scoped querysets (core) ask the organisation who a user is; installed here so that
        # models import nothing from the access module.
        from maque.core.scoping import install_actor_resolver
        from maque.organisation.access import actor_for

        install_actor_resolver(actor_for)
