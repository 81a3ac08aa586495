from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "outperform.rewards"
    label = "rewards"
    verbose_name = _("奖金与薪酬")
