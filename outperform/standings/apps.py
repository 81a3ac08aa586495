from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandingsConfig(AppConfig):
    name = "outperform.standings"
    label = "standings"
    verbose_name = _("服务商评级")

    def ready(self) -> None:
        from . import alerts, signals

        signals.connect()
        alerts.register()
