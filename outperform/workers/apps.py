from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkersConfig(AppConfig):
    name = "outperform.workers"
    label = "workers"
    verbose_name = _("外包人员")
