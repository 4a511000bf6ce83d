from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CompletionConfig(AppConfig):
    name = "completion"
    verbose_name = _("Units, assignments and certificates")

    def ready(self) -> None:
        from completion.trainers import after_migrate

        # Sent for this app after auth has made its permissions (cases and
        # lessons come earlier in INSTALLED_APPS, so theirs exist too).
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="completion.trainers")
