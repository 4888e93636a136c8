from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "maque.deliberation"
    label = "deliberation"
    verbose_name = _("Joint deliberation")

    def ready(self) -> None:
        # Supervision sits below this app: its scoring scheme's topic rules take their figures
        # from here, installed once the app is ready.
        from maque.deliberation.figures import scoring_topic_counts
        from maque.supervision.topic_figures import install_topic_source

        install_topic_source(scoring_topic_counts)
