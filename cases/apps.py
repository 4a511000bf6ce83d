from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Case library")

    def ready(self) -> None:
        from awareness.labels import name_the_unnamed

        name_the_unnamed()
