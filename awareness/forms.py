"""The sign-in form, which says when the directory is the problem."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Django's sign-in form; when the organisation's directory could not be
    used (completion.directory notes it on the request), the person is told
    so instead of being told their password is wrong."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "unavailable": _(
            "The organisation's directory cannot be reached just now, so directory "
            "accounts cannot sign in. Try again in a few minutes; if it goes on, "
            "tell your IT service desk."
        ),
        "entry": _(
            "Your directory account cannot be used on this site yet. "
            "Ask your unit's training administrator to look into it."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            problem = getattr(self.request, "directory_problem", None)
            if problem in ("unavailable", "entry"):
                raise ValidationError(self.error_messages[problem], code=problem) from None
            raise
