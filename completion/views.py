"""Views of the completion app: the quiz hand-off, the unit report and its
exports, assigning modules, importing employees, and certificates (the
commitment, download, bulk print and the public check).

Every view fetches what it shows through `completion.access`, so an object
outside the person's reach is a 404 whatever the URL says.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from awareness.addresses import client_address
from completion import (
    access,
    charts,
    decisions,
    exports,
    imports,
    inspection,
    invitations,
    reminders,
    reports,
    services,
    study_hours,
)
from completion.forms import (
    AcknowledgeForm,
    AssignForm,
    BulkPrintForm,
    EmployeeImportForm,
    ReportFilterForm,
    StudyHoursForm,
    VerifyForm,
    report_table,
    search_people,
)
from completion.models import (
    COMPLETED_STATUSES,
    Assignment,
    BackgroundJob,
    BulkPrintJob,
    Certificate,
    ExportJob,
    PublicLookup,
    TrainingStatus,
    Unit,
    local_today,
)
from completion.models.organisation import ancestor_paths
from completion.pdf import render_pdf, render_record_pdf, render_summary_pdf
from completion.tasks import (
    print_certificates,
    remind_overdue_now,
    send_invitations,
    write_export,
)
from completion.training import my_training
from lessons.models import Module

PAGE_SIZE = 50
# Not-placed people listed on the report of the top unit.
NOT_PLACED_SHOWN = 200
# "Remind now" sends this many reminders while the unit admin waits (about
# 7 ms each, README "Reminders"); more are sent by the background worker.
REMIND_NOW_DIRECT = 300
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@require_POST
def submit_attempt(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = access.get_attempt_for_user(request.user, attempt_id)
    try:
        attempt = services.submit_attempt(attempt=attempt)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(attempt.module)
    return redirect("lessons:result", attempt_id=attempt.pk)


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    unit = access.top_unit_for_admin(request.user)
    return redirect("completion:unit_report", unit_id=unit.pk)


@require_GET
def unit_report(request: HtmxHttpRequest, unit_id: int) -> HttpResponse:
    unit = access.get_unit_for_admin(request.user, unit_id)
    form, filters, rows = report_table(unit, request.GET)
    context = {
        "unit": unit,
        "form": form,
        "filters": filters,
        "page": _page(rows, request.GET.get("page")),
        "headers": reports.sort_headers(filters.sort),
        "study_year": filters.year or study_hours.StudyYear.of(local_today()),
    }
    # A filter that does not apply (a hand-edited address) is said, with 400.
    status = 400 if form.errors else 200
    if request.htmx and request.htmx.target == "people":
        return render(request, "completion/report.html#people", context, status=status)
    modules = list(form.modules.values())
    children = [child for child in form.units.values() if child.parent_id == unit.pk]
    today = local_today()
    # An earlier year is read as it stood at its end: the figures and the
    # table; the charts draw the current cycle only, so they are left out.
    summary = reports.summary(
        unit, modules, children=children, today=filters.today(today), as_of=filters.as_of
    )
    chosen = filters.module.pk if filters.module else None
    context |= {
        "charts": None
        if filters.year
        else charts.charts_for(
            unit, modules, summary, chosen=filters.module, today=today, direct_label=directly
        ),
        "modules": modules,
        "summary": summary,
        "module_figures": [(module, summary.by_module[module.pk]) for module in modules],
        "branch_figures": [
            (branch, branch.by_module.get(chosen, reports.Figures()) if chosen else branch.total)
            for branch in summary.branches
        ],
        "selected_total": summary.by_module.get(chosen) if chosen else summary.total,
        "misses": reports.question_misses(unit, filters.module) if filters.module else None,
        "decisions": decisions.decision_analysis(unit, filters.module, children=children)
        if filters.module
        else None,
        "min_group": decisions.MIN_GROUP,
        "trail": access.trail_for_admin(request.user, unit),
        "hours": study_hours.unit_hours(
            unit,
            children=children,
            year=context["study_year"],
            units=list(form.units.values()),
        ),
    }
    if unit.parent_id is None:
        # People outside every unit are shown at the top of the tree only.
        context["not_placed"] = access.not_placed_for_admin(request.user, unit)[:NOT_PLACED_SHOWN]
        context["not_placed_shown"] = NOT_PLACED_SHOWN
    return render(request, "completion/report.html", context, status=status)


@require_GET
def unit_summary_pdf(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The unit on one A4 page, for a leadership meeting."""
    unit = access.get_unit_for_admin(request.user, unit_id)
    today = local_today()
    summary = charts.leadership_summary(unit, today=today, direct_label=directly)
    response = HttpResponse(render_summary_pdf(summary), content_type=PDF)
    filename = f"summary-{unit.code}-{today:%Y%m%d}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


def directly(name: str) -> str:
    """The row of the people directly in a unit, as the report's tables name it."""
    return _("%(name)s (directly)") % {"name": name}


def person(request: HttpRequest, employee_id: int) -> HttpResponse:
    """One person's training record, for the admins of their unit or above."""
    employee = access.get_employee_for_admin(request.user, employee_id)
    record = reports.person_record(employee, today=local_today())
    context = {
        "employee": employee,
        "record": record,
        "trail": access.trail_for_admin(request.user, employee.unit),
    }
    return render(request, "completion/person.html", context)


@require_http_methods(["GET", "POST"])
def unit_study_hours(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Set the yearly study-hour requirement of a unit (and, unless they set
    their own, of the units below it). Saved, not updated, so the audit
    trail records who changed it and when."""
    unit = access.get_unit_for_admin(request.user, unit_id)
    above = study_hours.requirement_of(unit.parent) if unit.parent_id else None
    form = StudyHoursForm(
        request.POST or None, initial={"yearly_study_hours": unit.yearly_study_hours}
    )
    if request.method == "POST" and form.is_valid():
        unit.yearly_study_hours = form.cleaned_data["yearly_study_hours"]
        unit.save(update_fields=["yearly_study_hours"])
        hours = study_hours.requirement_of(unit)
        if hours is None:
            text = _("%(unit)s now sets no yearly requirement.")
        elif unit.yearly_study_hours is None:
            text = _("%(unit)s now follows the unit above: %(hours)s study hours a year.")
        else:
            text = _("The people of %(unit)s now owe %(hours)s study hours a year.")
        messages.success(
            request, text % {"unit": unit.name, "hours": study_hours.format_hours(hours)}
        )
        return redirect(reverse("completion:unit_report", args=[unit.pk]) + "#hours-heading")
    overriding = Unit.objects.subtree(unit).exclude(pk=unit.pk)
    context = {
        "unit": unit,
        "form": form,
        "above": above,
        "overriding": overriding.filter(yearly_study_hours__isnull=False).order_by("path"),
        "trail": access.trail_for_admin(request.user, unit),
    }
    return render(
        request, "completion/study_hours.html", context, status=400 if form.errors else 200
    )


@require_GET
def annual_record(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """The signed-in person's training in one study year (this one unless
    asked): what they attach to their annual review, with its PDF."""
    study_year = study_hours.StudyYear.numbered(year) if year else None
    study_year = study_year or study_hours.StudyYear.of(local_today())
    record = study_hours.annual_record(request.user, study_year)
    return render(
        request,
        "completion/record.html",
        {"record": record, "trail": _trail_names(record.employee)},
    )


@require_GET
def annual_record_pdf(request: HttpRequest, year: int) -> HttpResponse:
    record = study_hours.annual_record(request.user, study_hours.StudyYear.numbered(year))
    pdf = render_record_pdf(record, trail=_trail_names(record.employee), today=local_today())
    response = HttpResponse(pdf, content_type=PDF)
    number = record.employee.employee_number if record.employee else request.user.get_username()
    filename = f"training-record-{year}-{number}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


def _trail_names(employee) -> str:
    """The person's unit with the units above it (省 › 局 › 处): one query."""
    if employee is None or employee.unit is None:
        return ""
    names = Unit.objects.filter(path__in=ancestor_paths(employee.unit)).values_list(
        "name", flat=True
    )
    return " › ".join(names)


def _page(rows, number: str | None):
    """The page asked for; a page number that is not one of the table's is a 404."""
    try:
        return Paginator(rows, PAGE_SIZE).page(number or 1)
    except (EmptyPage, PageNotAnInteger):
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def export(request: HttpRequest, unit_id: int, kind: str) -> HttpResponse:
    unit = access.get_unit_for_admin(request.user, unit_id)
    form, _filters, rows = report_table(unit, request.GET)
    if form.errors:
        return HttpResponseBadRequest(_("These filters do not apply to this report."))
    stamp = timezone.localdate().isoformat()
    filename = f"report-{unit.code}-{stamp}"
    if kind == "csv":
        response = StreamingHttpResponse(
            exports.csv_lines(rows.iterator(chunk_size=5000), root=unit), content_type="text/csv"
        )
    else:
        total = rows.count()
        if total > exports.DIRECT_XLSX_ROWS:
            # Too large to write while the person waits: a job writes it,
            # started by a POST (a link or a prefetch never starts one).
            if request.method != "POST" or ExportJob.too_many_for(request.user):
                return _confirm_export(request, unit, total)
            return _export_in_background(request, unit, total)
        response = HttpResponse(content_type=XLSX)
        exports.workbook(rows.iterator(chunk_size=5000), root=unit).save(response)
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{kind}")
    return response


def _confirm_export(request: HttpRequest, unit: Unit, total: int) -> HttpResponse:
    too_many = ExportJob.too_many_for(request.user)
    context = {"unit": unit, "total": total, "too_many": too_many, "query": request.GET.urlencode()}
    return render(
        request, "completion/export_confirm.html", context, status=429 if too_many else 200
    )


def _export_in_background(request: HttpRequest, unit: Unit, total: int) -> HttpResponse:
    # openpyxl writes about 10,000 rows a second: a large workbook would
    # outlast the request, so a task writes it and the job page shows progress.
    query = request.GET.dict()
    job = ExportJob.objects.create(
        requested_by=request.user,
        unit=unit,
        kind=ExportJob.Kind.XLSX,
        filters={key: query[key] for key in ReportFilterForm.base_fields if key in query},
        language=get_language(),
        total=total,
    )
    write_export.enqueue(job_id=job.pk)
    return redirect("completion:export_job", job_id=job.pk)


@require_GET
def export_job(request: HtmxHttpRequest, job_id: int) -> HttpResponse:
    job = access.get_job_for_user(request.user, ExportJob, job_id)
    return _job_page(request, job)


@require_GET
def export_download(request: HttpRequest, job_id: int) -> FileResponse:
    return _job_file(access.get_job_for_user(request.user, ExportJob, job_id), XLSX)


def _job_page(request: HtmxHttpRequest, job: BackgroundJob) -> HttpResponse:
    if job.is_stalled:
        # Its worker stopped: say so now rather than poll for ever.
        job.fail("No progress for a while: the worker stopped. Start it again.")
    # The export and the print job share one page; htmx polls its progress part.
    template = "completion/job.html#progress" if request.htmx else "completion/job.html"
    export = isinstance(job, ExportJob)
    # An export's page links back to the report with the filters it was made with.
    context = {"job": job, "export": export, "query": urlencode(job.filters) if export else ""}
    return render(request, template, context)


def _too_many_jobs() -> str:
    return _(
        "You already have %(n)d jobs being prepared. Wait until one is ready, then try again."
    ) % {"n": settings.MAX_RUNNING_JOBS}


def _job_file(job: BackgroundJob, content_type: str) -> FileResponse:
    if job.state != BackgroundJob.State.DONE or not job.file:
        raise Http404
    return FileResponse(
        default_storage.open(job.file.name, "rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=content_type,
    )


@require_POST
def inspection_pack(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Start the unit's inspection pack (always in the background: it reads
    every assignment, completion and certificate of the subtree)."""
    unit = access.get_unit_for_admin(request.user, unit_id)
    if ExportJob.too_many_for(request.user):
        messages.error(request, _too_many_jobs())
        return redirect("completion:unit_report", unit_id=unit.pk)
    job = ExportJob.objects.create(
        requested_by=request.user,
        unit=unit,
        kind=ExportJob.Kind.INSPECTION,
        language=get_language(),
    )
    write_export.enqueue(job_id=job.pk)
    return redirect("completion:export_job", job_id=job.pk)


@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Assign in two steps: the first shows whom the choices affect (and who
    would be overdue at once), the second, for exactly those choices, saves."""
    unit = access.get_unit_for_admin(request.user, unit_id)
    # A name search (without JavaScript, a GET) is about choosing people.
    initial = {"target": AssignForm.TARGET_PEOPLE} if request.GET.get("q") else None
    form = AssignForm(request.POST or None, root=unit, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        if form.confirmed:
            messages.success(request, _assign(request, form))
            return redirect("completion:unit_report", unit_id=unit.pk)
        preview = _preview(request, form)
        data = request.POST.copy()
        data["previewed"] = form.fingerprint()
        form = AssignForm(data, root=unit)
        form.is_valid()
    status = 400 if form.is_bound and preview is None else 200  # 400: it did not validate
    context = {"unit": unit, "form": form, "preview": preview, **_people_search(request, unit)}
    return render(request, "completion/assign.html", context, status=status)


class _DryRun(Exception):
    """Raised to roll a preview's assignments back."""


@dataclass
class AssignPreview:
    module: Module
    people: int
    overdue: int
    completed: int

    @property
    def sentence(self) -> str:
        people = ngettext("%(n)d person", "%(n)d people", self.people) % {"n": self.people}
        if not self.people:
            return _("%(people)s.") % {"people": people}
        return _("%(people)s; %(overdue)s; %(completed)s.") % {
            "people": people,
            "overdue": ngettext(
                "%(n)d of them would already be overdue",
                "%(n)d of them would already be overdue",
                self.overdue,
            )
            % {"n": self.overdue},
            "completed": ngettext(
                "%(n)d has already completed it", "%(n)d have already completed it", self.completed
            )
            % {"n": self.completed},
        }


def _preview(request: HttpRequest, form: AssignForm) -> list[AssignPreview]:
    """What saving would do, module by module: the assignments are made in
    a transaction that is rolled back, and the report's own rules count the
    people they cover, those already overdue and those already done."""
    data = form.cleaned_data
    if data["target"] == AssignForm.TARGET_UNIT:
        root, people = data["unit"], None
    else:
        root, people = form.root, [employee.user_id for employee in data["employees"]]
    today = local_today()
    figures = []
    try:
        with transaction.atomic():
            _assign(request, form)
            for module in data["modules"]:
                rows = reports.requirements(root, module, today=today)
                if people is not None:
                    rows = rows.filter(user__in=people)
                counts = rows.aggregate(
                    people=Count("pk"),
                    overdue=Count(
                        "pk",
                        filter=Q(training_status=TrainingStatus.OVERDUE)
                        | Q(training_status=TrainingStatus.EXPIRED, due_date__lt=today),
                    ),
                    completed=Count("pk", filter=Q(training_status__in=COMPLETED_STATUSES)),
                )
                figures.append(AssignPreview(module=module, **counts))
            raise _DryRun
    except _DryRun:
        pass
    return figures


@require_GET
def assign_people_search(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The assign form's name search, for htmx: the people ticked so far and
    those whose name or number matches."""
    unit = access.get_unit_for_admin(request.user, unit_id)
    context = {"unit": unit, **_people_search(request, unit)}
    return render(request, "completion/assign.html#people-search", context)


def _people_search(request: HttpRequest, unit: Unit) -> dict:
    query = request.POST if request.method == "POST" else request.GET
    chosen = [int(value) for value in query.getlist("chosen") if value.isdigit()][:200]
    text = query.get("q", "")
    ticked, found = search_people(unit, text, chosen=chosen)
    return {"ticked": ticked, "found": found, "search_text": text.strip()}


def _assign(request: HttpRequest, form: AssignForm) -> str:
    data = form.cleaned_data
    if data["target"] == AssignForm.TARGET_UNIT:
        targets = [{"unit": data["unit"]}]
        whom = data["unit"].name
    else:
        targets = [{"user": employee.user} for employee in data["employees"]]
        whom = ngettext("%(n)d person", "%(n)d people", len(targets)) % {"n": len(targets)}
    created = changed = 0
    rule = {
        "due_date": data["due_date"],
        "days_allowed": data["days_allowed"],
        "renewal_days": data["renewal_days"],
    }
    counts = []  # (module, people it now reaches, people it reached before)
    for module in data["modules"]:
        before = _people_reached(form, module)
        for target in targets:
            assignment, new = Assignment.objects.assign(
                module=module, by=request.user, **rule, **target
            )
            created += new
            changed += not new
        counts.append((module, _people_reached(form, module), before))
    titles = "、".join(module.title for module in data["modules"])
    if data["due_date"] is None:
        due = inspection.due_rule(None, data["days_allowed"])
    else:
        due = date_format(data["due_date"], "DATE_FORMAT")
    message = _("Assigned %(modules)s to %(whom)s, due %(due)s.") % {
        "modules": titles,
        "whom": whom,
        "due": due,
    }
    for module, reached, before in counts:
        message += " " + ngettext(
            "%(module)s: assigned to %(n)d person",
            "%(module)s: assigned to %(n)d people",
            reached,
        ) % {"module": module.title, "n": reached}
        if before:
            message += ngettext("; %(n)d already had it.", "; %(n)d already had it.", before) % {
                "n": before
            }
        else:
            message += "."
    if changed:
        message += " " + ngettext(
            "%(n)d assignment already existed: its due date is now %(due)s.",
            "%(n)d assignments already existed: their due date is now %(due)s.",
            changed,
        ) % {"n": changed, "due": due}
    return message


def _people_reached(form: AssignForm, module) -> int:
    """How many of the people the form targets are assigned `module`: one COUNT."""
    data = form.cleaned_data
    if data["target"] == AssignForm.TARGET_UNIT:
        return reports.requirements(data["unit"], module, today=local_today()).count()
    people = [employee.pk for employee in data["employees"]]
    covered = reports.requirements(form.root, module, today=local_today())
    return covered.filter(pk__in=people).count()


@require_http_methods(["GET", "POST"])
def import_employees(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.get_unit_for_admin(request.user, unit_id)
    form = EmployeeImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        rows, problems = imports.read(form.cleaned_data["file"], root=unit)
        if not problems:
            outcome = imports.save(rows)
            invited = invitations.invite_imported([row.employee_number for row in rows])
            message = _(
                "Import done: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."
            ) % vars(outcome)
            if invited:
                ids = [invitation.pk for invitation in invited]
                # Sent by the worker: an import may bring thousands of people.
                send_invitations.enqueue(invitation_ids=ids)
                message += " " + ngettext(
                    "An invitation to set a password is being sent to %(n)d new person.",
                    "Invitations to set a password are being sent to %(n)d new people.",
                    len(ids),
                ) % {"n": len(ids)}
            messages.success(request, message)
            return redirect("completion:unit_report", unit_id=unit.pk)
    context = {
        "unit": unit,
        "form": form,
        "problems": problems,
        "columns": imports.COLUMNS,
        "units": Unit.objects.subtree(unit).only("code", "name", "depth"),
    }
    refused = problems or (form.is_bound and not form.is_valid())
    return render(request, "completion/import.html", context, status=400 if refused else 200)


def _back_to_report(unit: Unit, query: str) -> HttpResponse:
    """The unit's report with the filters it was left on (`query`, re-encoded:
    only the report's own parameters can come back)."""
    kept = QueryDict(query).dict()
    kept = {
        key: kept[key] for key in (*ReportFilterForm.base_fields, "sort", "page") if key in kept
    }
    address = reverse("completion:unit_report", args=[unit.pk])
    return redirect(f"{address}?{urlencode(kept)}" if kept else address)


@require_http_methods(["GET", "POST"])
def remind_now(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Remind the overdue people of the report's current filter now: a page
    that says how many it reaches (GET), then sending it (POST). One a day
    per person and module at most (`reminders.plan_now`)."""
    unit = access.get_unit_for_admin(request.user, unit_id)
    # Reminders are about today: an earlier year's view (the report's "year")
    # does not choose whom to remind.
    current = request.GET.copy()
    current.pop("year", None)
    form, _filters, rows = report_table(unit, current)
    if form.errors:
        return HttpResponseBadRequest(_("These filters do not apply to this report."))
    modules = {module.pk: module for module in form.modules.values()}
    plan = reminders.plan_now(rows.by_module, modules, local_today())
    if request.method == "POST" and len(plan.planned) > REMIND_NOW_DIRECT:
        query = current.dict()
        kept = {key: query[key] for key in ReportFilterForm.base_fields if key in query}
        remind_overdue_now.enqueue(unit_id=unit.pk, filters=kept)
        messages.success(
            request,
            _("%(n)d reminders are being sent by the background worker.")
            % {"n": len(plan.planned)},
        )
        return _back_to_report(unit, current.urlencode())
    if request.method == "POST":
        outcome = reminders.send(plan.planned)
        level, text = _reminded(plan, outcome)
        messages.add_message(request, level, text)
        return _back_to_report(unit, current.urlencode())
    context = {"unit": unit, "plan": plan, "query": current.urlencode()}
    return render(request, "completion/remind_now.html", context)


def _reminded(plan: reminders.NowPlan, outcome: reminders.Outcome) -> tuple[int, str]:
    """What "remind now" did, in one message: sent, skipped and why, failed."""
    parts = [
        ngettext("%(n)d reminder sent.", "%(n)d reminders sent.", len(outcome.sent))
        % {"n": len(outcome.sent)}
    ]
    skipped = [
        (
            plan.reminded_today,
            ngettext(
                "%(n)d already reminded today",
                "%(n)d already reminded today",
                plan.reminded_today,
            ),
        ),
        (
            plan.no_email,
            ngettext(
                "%(n)d without an email address",
                "%(n)d without an email address",
                plan.no_email,
            ),
        ),
        (
            plan.inactive,
            ngettext(
                "%(n)d whose account is switched off",
                "%(n)d whose accounts are switched off",
                plan.inactive,
            ),
        ),
    ]
    reasons = [text % {"n": n} for n, text in skipped if n]
    if plan.skipped:
        parts.append(_("Not sent: %(reasons)s.") % {"reasons": "; ".join(reasons)})
    if outcome.unreachable:
        parts.append(
            _(
                "The mail server could not be reached (%(reason)s): nothing more was sent. "
                "Try again later."
            )
            % {"reason": outcome.unreachable}
        )
        return messages.ERROR, " ".join(parts)
    if outcome.failed:
        parts.append(
            ngettext(
                "%(n)d was refused by the mail server (see Reminders in the admin).",
                "%(n)d were refused by the mail server (see Reminders in the admin).",
                len(outcome.failed),
            )
            % {"n": len(outcome.failed)}
        )
        return messages.WARNING, " ".join(parts)
    return messages.SUCCESS, " ".join(parts)


@require_POST
def send_invitation(request: HttpRequest, unit_id: int, employee_id: int) -> HttpResponse:
    """Send a person of the unit a new link to set their password (a first
    one that went astray, or a forgotten password): at most once an hour."""
    unit = access.get_unit_for_admin(request.user, unit_id)
    employee = access.get_employee_in_unit(unit, employee_id)
    again = invitations.send_again(employee, by=request.user)
    name = {"name": employee.full_name}
    if again.refused:
        messages.error(request, again.refused % name)
    elif again.outcome.unreachable:
        messages.error(
            request,
            _(
                "The mail server could not be reached, so no link was sent to %(name)s. "
                "Try again later."
            )
            % name,
        )
    elif again.outcome.failed:
        messages.error(
            request,
            _("The mail server refused the link to %(name)s: %(error)s")
            % {**name, "error": again.outcome.failed[0].error},
        )
    else:
        messages.success(
            request,
            _("A link to set a password was sent to %(name)s (%(email)s).")
            % {**name, "email": again.invitation.email},
        )
    return _back_to_report(unit, request.POST.get("query", ""))


@require_GET
def import_template(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A CSV to fill in: the header, then one row per unit the admin may
    import into, its code filled in and its name beside it to read by."""
    unit = access.get_unit_for_admin(request.user, unit_id)
    units = Unit.objects.subtree(unit).values_list("code", "name")
    response = HttpResponse(content_type="text/csv")
    response.write("\ufeff")  # so Excel opens Chinese names as UTF-8
    writer = csv.writer(response)
    writer.writerow([*imports.COLUMNS, _("unit name (for reference; ignored)")])
    for code, name in units:
        # The code as it is (the import reads it back); the name made safe.
        writer.writerow(["", "", code, "", exports.safe_text(name)])
    filename = f"import-template-{unit.code}.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, slug: str) -> HttpResponse:
    completion = access.get_completion_for_user(request.user, slug)
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    if completion.acknowledged_at is None and request.method == "POST" and form.is_valid():
        Certificate.objects.acknowledge(
            completion=completion, text=completion.module.acknowledgement
        )
        return redirect("completion:acknowledge", slug=slug)
    # A confirmation that did not validate (the box left unticked): 400.
    invalid = completion.acknowledged_at is None and form.is_bound
    return render(
        request,
        "completion/acknowledge.html",
        status=400 if invalid else 200,
        context={
            "completion": completion,
            "form": form,
            "certificate": completion.certificates.valid().first(),
            "revoked": completion.certificates.exclude(revoked_at=None).first(),
            # Once the certificate is in hand: what is due next.
            "next_module": my_training(request.user, today=local_today()).next_module
            if completion.acknowledged_at
            else None,
        },
    )


@require_GET
def certificate_pdf(request: HttpRequest, serial: str) -> HttpResponse:
    certificate = access.get_certificate_for_user(request.user, serial)
    response = HttpResponse(render_pdf([certificate]), content_type=PDF)
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


@login_not_required
@require_http_methods(["GET", "POST"])
def verify_lookup(request: HttpRequest) -> HttpResponse:
    # A POST, so the name typed never lands in an address, a history or a log.
    form = VerifyForm(request.POST if request.method == "POST" else None)
    if form.is_bound and PublicLookup.objects.too_many(client_address(request)):
        return render(
            request, "completion/verify.html", {"form": form, "throttled": True}, status=429
        )
    certificate = None
    if form.is_valid():
        # Serials are sequential, so a serial alone would let anyone list the
        # names of everyone trained; the name printed beside it must match too.
        certificate = Certificate.objects.filter(
            serial__iexact=form.cleaned_data["serial"].strip(),
            holder_name__iexact=form.cleaned_data["name"].strip(),
        ).first()
    found = 200 if certificate else 404
    status = found if form.is_valid() else (400 if form.is_bound else 200)
    context = {"certificate": certificate, "form": form, "searched": form.is_bound}
    return render(request, "completion/verify.html", context, status=status)


@require_http_methods(["GET", "POST"])
def bulk_print(request: HttpRequest) -> HttpResponse:
    units = access.units_for_admin(request.user)
    form = BulkPrintForm(request.POST if request.method == "POST" else None, units=units)
    # Data that does not fit the form is a 400; a fitting selection that
    # cannot be printed (nothing matches, too much) is answered with a message.
    status = 400 if form.is_bound and not form.is_valid() else 200
    if request.method == "POST" and form.is_valid():
        job = BulkPrintJob(
            requested_by=request.user,
            unit=form.cleaned_data["unit"],
            filters=form.filters(),
            language=get_language(),
        )
        job.total = job.certificates().count()
        if BulkPrintJob.too_many_for(request.user):
            form.add_error(None, _too_many_jobs())
        elif problem := job.selection_problem():
            form.add_error(None, problem)
        else:
            job.save()
            print_certificates.enqueue(job_id=job.pk)
            return redirect("completion:bulk_print_job", job_id=job.pk)
    jobs = BulkPrintJob.objects.visible_to(request.user).select_related("unit")[:10]
    return render(
        request, "completion/bulk_print.html", {"form": form, "jobs": jobs}, status=status
    )


@require_GET
def bulk_print_job(request: HtmxHttpRequest, job_id: int) -> HttpResponse:
    job = access.get_job_for_user(request.user, BulkPrintJob, job_id)
    return _job_page(request, job)


@require_GET
def bulk_print_download(request: HttpRequest, job_id: int) -> FileResponse:
    return _job_file(access.get_job_for_user(request.user, BulkPrintJob, job_id), PDF)
