from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompletionConfig(AppConfig):
    name = "completion"
    verbose_name = _("Units, assignments and certificates")
