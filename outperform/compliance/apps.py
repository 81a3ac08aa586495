from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "outperform.compliance"
    label = "compliance"
    verbose_name = _("安全合规与整改")

    def ready(self) -> None:
        from .alerting import register
        from .sources import register_sources

        register()
        register_sources()
