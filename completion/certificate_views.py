"""Views of certificates: acknowledge and receive, download, verify, print in bulk."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from completion.certificate_models import BulkPrintJob, Certificate
from completion.certificates import render_pdf
from completion.models import Completion, Unit
from completion.tasks import print_certificates
from lessons.models import Module


def _get_certificate_for_user(request: HttpRequest, serial: str) -> Certificate:
    # The holder, an admin of a unit above the holder's, or a superuser.
    return get_object_or_404(Certificate.objects.visible_to(request.user).valid(), serial=serial)


def _units_for_admin(request: HttpRequest):
    """The units `request.user` may print for: every unit they administer and
    everything below; 404 for someone who administers nothing."""
    if not (request.user.is_superuser or request.user.admin_of.exists()):
        raise Http404
    return Unit.objects.administered_by(request.user)


def _get_job_for_user(request: HttpRequest, job_id: int) -> BulkPrintJob:
    return get_object_or_404(
        BulkPrintJob.objects.select_related("unit"),
        pk=job_id,
        requested_by=request.user,
        unit__in=_units_for_admin(request),
    )


class AcknowledgeForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm that I have read and will abide by this commitment."),
        error_messages={"required": _("Tick the box to confirm the commitment.")},
    )


@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, slug: str) -> HttpResponse:
    # Only someone who passed the module has a completion: anyone else, 404.
    completion = get_object_or_404(
        Completion.objects.select_related("module"), user=request.user, module__slug=slug
    )
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    if completion.acknowledged_at is None and request.method == "POST" and form.is_valid():
        Certificate.objects.acknowledge(
            completion=completion, text=completion.module.acknowledgement
        )
        return redirect("completion:acknowledge", slug=slug)
    return render(
        request,
        "completion/acknowledge.html",
        {
            "completion": completion,
            "form": form,
            "certificate": completion.certificates.valid().first(),
            "revoked": completion.certificates.exclude(revoked_at=None).first(),
        },
    )


@require_GET
def certificate_pdf(request: HttpRequest, serial: str) -> HttpResponse:
    certificate = _get_certificate_for_user(request, serial)
    response = HttpResponse(render_pdf([certificate]), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.serial}.pdf"'
    return response


@login_not_required
@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    certificate = Certificate.objects.filter(token=token).first()
    return render(
        request,
        "completion/verify.html",
        {"certificate": certificate, "form": VerifyForm()},
        status=200 if certificate else 404,
    )


class VerifyForm(forms.Form):
    serial = forms.CharField(
        label=_("Serial number"),
        max_length=30,
        help_text=_("As printed on the certificate, for example AW-2026-000123."),
    )
    name = forms.CharField(
        label=_("Name on the certificate"),
        max_length=200,
        help_text=_("Exactly as printed, so that a serial number alone reveals nobody's name."),
    )


@login_not_required
@require_GET
def verify_lookup(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET if "serial" in request.GET else None)
    certificate = None
    if form.is_valid():
        # Serials are sequential, so a serial alone would let anyone list the
        # names of everyone trained; the name printed beside it must match too.
        certificate = Certificate.objects.filter(
            serial__iexact=form.cleaned_data["serial"].strip(),
            holder_name__iexact=form.cleaned_data["name"].strip(),
        ).first()
    return render(
        request,
        "completion/verify.html",
        {"certificate": certificate, "form": form, "searched": form.is_bound},
        status=404 if form.is_valid() and certificate is None else 200,
    )


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        # Indented by depth, so the tree reads in a plain <select>.
        return "\u2003" * unit.depth + unit.name


class BulkPrintForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Unit (and the units below it)"), queryset=Unit.objects, empty_label=None
    )
    module = forms.ModelChoiceField(
        label=_("Module"),
        queryset=Module.objects.all(),
        required=False,
        empty_label=_("All modules"),
    )
    passed_from = forms.DateField(
        label=_("Passed on or after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    passed_to = forms.DateField(
        label=_("Passed on or before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, units, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("passed_from"), data.get("passed_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The first date must not be after the last."))
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "module": data["module"].pk if data["module"] else None,
            "passed_from": data["passed_from"].isoformat() if data["passed_from"] else None,
            "passed_to": data["passed_to"].isoformat() if data["passed_to"] else None,
            "language": get_language(),
        }


@require_http_methods(["GET", "POST"])
def bulk_print(request: HttpRequest) -> HttpResponse:
    units = _units_for_admin(request)
    form = BulkPrintForm(request.POST if request.method == "POST" else None, units=units)
    if request.method == "POST" and form.is_valid():
        job = BulkPrintJob(
            requested_by=request.user, unit=form.cleaned_data["unit"], filters=form.filters()
        )
        job.total = job.certificates().count()
        if problem := job.selection_problem():
            form.add_error(None, problem)
        else:
            job.save()
            print_certificates.enqueue(job_id=job.pk)
            return redirect("completion:bulk_print_job", job_id=job.pk)
    jobs = BulkPrintJob.objects.filter(requested_by=request.user).select_related("unit")[:10]
    return render(request, "completion/bulk_print.html", {"form": form, "jobs": jobs})


@require_GET
def bulk_print_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _get_job_for_user(request, job_id)
    template = "completion/bulk_print_job.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"job": job})


@require_GET
def bulk_print_download(request: HttpRequest, job_id: int) -> FileResponse:
    job = _get_job_for_user(request, job_id)
    if job.state != BulkPrintJob.State.DONE or not job.file:
        raise Http404
    return FileResponse(
        default_storage.open(job.file.name, "rb"),
        as_attachment=True,
        filename=f"certificates-{job.pk}.pdf",
        content_type="application/pdf",
    )
