from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "outperform.surveys"
    label = "surveys"
    verbose_name = _("满意度调查")

    def ready(self) -> None:
        from .sources import register_sources

        register_sources()
