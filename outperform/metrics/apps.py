from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "outperform.metrics"
    label = "metrics"
    verbose_name = _("度量指标")

    def ready(self) -> None:
        from .sources import register_sources

        register_sources()
