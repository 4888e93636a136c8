from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "maque.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # The ledger sits below this app: it announces item events, and this app listens.
        from maque.ledger.lifecycle.announce import listen
        from maque.notifications.items import notify_item_event

        listen(notify_item_event)
