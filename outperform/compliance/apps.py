from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "outperform.compliance"
    label = "compliance"
    verbose_name = _("安全合规与整改")
