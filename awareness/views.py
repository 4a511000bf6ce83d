"""The few site-wide views: the home page, signing in, the language switch
and the error pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, PasswordResetConfirmView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from awareness.forms import SignInForm
from completion import access, reports, study_hours
from completion.directory import contacts_for_not_placed
from completion.models import Employee, local_today
from completion.training import my_training


def remember_language(response: HttpResponse, language: str) -> HttpResponse:
    """Set the language cookie the way Django's own switch does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class SignInView(LoginView):
    """Sign-in that brings back the language the person chose last time,
    on any browser they sign in from."""

    redirect_authenticated_user = True
    authentication_form = SignInForm

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        language = Employee.objects.language_of(self.request.user)
        return remember_language(response, language) if language else response


@method_decorator(login_not_required, name="dispatch")
class SetPasswordView(PasswordResetConfirmView):
    """The page an invitation links to (completion/invitations.py): Django's
    password reset confirmation, in our templates and in the person's own
    language. It signs no one in: the person then signs in as usual."""

    template_name = "registration/set_password.html"
    success_url = reverse_lazy("login")

    def dispatch(self, *args, **kwargs) -> HttpResponse:
        response = super().dispatch(*args, **kwargs)
        if self.validlink:
            language = Employee.objects.language_of(self.user)
            if language:
                # The page is rendered after this, in the person's language;
                # the sign-in page that follows keeps it too.
                translation.activate(language)
                self.request.LANGUAGE_CODE = language
                remember_language(response, language)
        return response

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password is set. Sign in with your username, %(username)s, and it.")
            % {"username": self.user.get_username()},
        )
        return response


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switch; for a signed-in person the choice is
    kept, so it follows them to the next sign-in and onto certificates."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        Employee.objects.filter(user=request.user).update(language=language)
    return response


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My training: the signed-in person's modules, due dates and progress."""
    today = local_today()
    training = my_training(request.user, today=today)
    # People who administer a unit see how it stands, linking to the report.
    top = access.top_unit_or_none(request.user)
    unit_glance = reports.glance(top, today=today) if top else None
    employee = Employee.objects.filter(user=request.user).select_related("unit").first()
    hours = study_hours.hours_meter(request.user, employee and employee.unit, today=today)
    context = {
        "training": training,
        "glance": unit_glance,
        "employee": employee,
        # People outside the organisation (a trainer, say) owe no hours.
        "hours": hours if employee or hours.hours else None,
    }
    if employee and employee.unit is None:
        # A directory person whose unit the site does not know yet.
        context["contacts"] = contacts_for_not_placed()
    return render(request, "home.html", context)


@login_not_required
def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


@login_not_required
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: the error may have come from a context
    # processor or the database, so the page needs neither.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())


def error_preview(request: HttpRequest, code: int) -> HttpResponse:
    handlers = {403: forbidden, 404: not_found, 500: server_error}
    if code not in handlers:
        raise Http404
    return handlers[code](request) if code == 500 else handlers[code](request, None)
