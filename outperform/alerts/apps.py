from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "outperform.alerts"
    label = "alerts"
    verbose_name = _("预警")

    def ready(self) -> None:
        from .builtin import register_builtin_kinds
        from .data_kinds import register_data_kinds

        register_builtin_kinds()
        register_data_kinds()
