from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "outperform.records"
    label = "records"
    verbose_name = _("业务记录")

    def ready(self) -> None:
        from .sources import register_all

        register_all()
