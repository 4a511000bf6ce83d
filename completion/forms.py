"""Forms of the completion pages: report filters, assigning, importing, bulk
printing, the commitment a person confirms, and the public certificate check."""

from __future__ import annotations

import copy
import hashlib
from functools import cached_property

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from awareness.converters import as_id
from completion import reports
from completion.models import Campaign, Employee, TrainingStatus, Unit, local_today
from completion.reports import COMPLETED, SORTS, Filters
from completion.study_hours import StudyYear
from lessons.models import Module

INDENT = "\u3000"  # an ideographic space: indents Chinese and Latin names alike


class IdsInRange:
    """A model choice field that refuses an id no row can have before asking
    the database, which would overflow on it (a 500, not a form error)."""

    def clean(self, value):
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            text = str(item).strip() if item is not None else ""
            if text and as_id(text) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text},
                )
        return super().clean(value)


class ModelChoiceField(IdsInRange, forms.ModelChoiceField):
    pass


class ModelMultipleChoiceField(IdsInRange, forms.ModelMultipleChoiceField):
    pass


class UnitChoiceField(IdsInRange, forms.ModelChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        # Indented by depth, so the tree reads in a plain <select>.
        return f"{INDENT * unit.depth}{unit.name}"


# Earlier years the report can be read as at the end of.
EARLIER_YEARS = 5


class ReportFilterForm(forms.Form):
    """The report's filters. Modules and units come as lists already loaded
    (the page shows them too), so validating costs no query."""

    module = forms.ChoiceField(label=_("Module"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            (COMPLETED, _("Completed (on time or late)")),
            *TrainingStatus.choices,
        ],
    )
    unit = forms.TypedChoiceField(label=_("Sub-unit"), required=False, coerce=int)
    name = forms.CharField(label=_("Name or employee number"), required=False, max_length=100)
    campaign = forms.TypedChoiceField(label=_("Campaign"), required=False, coerce=int)
    # The current cycle, or the table as it stood at the end of an earlier year.
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(key, key) for name in SORTS for key in (name, f"-{name}")],
    )

    def __init__(
        self,
        *args,
        modules: list[Module],
        units: list[Unit],
        campaigns: QuerySet[Campaign] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # Read when the page lists them or a campaign is asked for: an export
        # or a reminder without one costs no query for them.
        self.campaign_query = campaigns if campaigns is not None else Campaign.objects.none()
        self.fields["campaign"].choices = self.campaign_choices
        self.modules = {module.slug: module for module in modules}
        self.units = {unit.pk: unit for unit in units}
        self.fields["module"].choices = [("", _("All modules"))] + [
            (module.slug, module.title) for module in modules
        ]
        this_year = StudyYear.of(local_today())
        self.fields["year"].choices = [("", _("Current cycle"))] + [
            (number, _("As at the end of %(year)s") % {"year": StudyYear.numbered(number)})
            for number in range(this_year.number - 1, this_year.number - 1 - EARLIER_YEARS, -1)
        ]
        self.fields["unit"].choices = [("", _("Whole unit"))] + [
            (unit.pk, f"{INDENT * (unit.depth - units[0].depth)}{unit.name}") for unit in units
        ]

    @cached_property
    def campaigns(self) -> dict[int, Campaign]:
        return {campaign.pk: campaign for campaign in self.campaign_query.only("pk", "name")}

    def campaign_choices(self) -> list[tuple]:
        return [("", _("Any campaign"))] + [
            (pk, campaign.name) for pk, campaign in self.campaigns.items()
        ]

    def filters(self) -> Filters:
        """What to show: the valid filters, ignoring any that are not (a unit
        from elsewhere in a hand-edited URL simply does not apply)."""
        self.is_valid()
        data = self.cleaned_data
        return Filters(
            module=self.modules.get(data.get("module")),
            status=data.get("status", ""),
            unit=self.units.get(data.get("unit")),
            name=data.get("name", "").strip(),
            sort=data.get("sort") or "name",
            campaign=self.campaigns.get(data["campaign"]) if data.get("campaign") else None,
            year=StudyYear.numbered(data["year"]) if data.get("year") else None,
        )


def report_table(unit: Unit, query) -> tuple[ReportFilterForm, Filters, reports.Table]:
    """The filter form, filters and filtered rows of `unit`'s report for the
    page's `query` (request.GET, or the same keys kept on an export job)."""
    modules = list(reports.assigned_modules())
    units = list(Unit.objects.subtree(unit))
    campaigns = Campaign.objects.relevant_to(unit)
    form = ReportFilterForm(query, modules=modules, units=units, campaigns=campaigns)
    filters = form.filters()
    rows = reports.person_rows(unit, modules, filters, today=local_today(), units=units)
    return form, filters, rows


class AssignForm(forms.Form):
    TARGET_UNIT, TARGET_PEOPLE = "unit", "people"

    modules = ModelMultipleChoiceField(
        label=_("Modules"),
        queryset=Module.objects.published(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one module.")},
    )
    target = forms.ChoiceField(
        label=_("Assign to"),
        widget=forms.RadioSelect,
        choices=[
            (
                TARGET_UNIT,
                _("Everyone in a unit and its sub-units, including people who join later"),
            ),
            (TARGET_PEOPLE, _("Chosen people")),
        ],
        initial=TARGET_UNIT,
        error_messages={"required": _("Choose whom to assign to.")},
    )
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    people = forms.CharField(
        label=_("Employee numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One or more employee numbers, separated by spaces, commas or new lines."),
    )
    # People found by name (see `search_people`): their ids, never listed
    # all at once (a unit may hold 100,000 people).
    chosen = ModelMultipleChoiceField(
        label=_("Chosen by name"),
        queryset=Employee.objects.none(),
        required=False,
        widget=forms.MultipleHiddenInput,
    )
    DUE_FIXED, DUE_RELATIVE = "fixed", "relative"
    due = forms.ChoiceField(
        label=_("Due"),
        widget=forms.RadioSelect,
        choices=[
            (DUE_FIXED, _("On a date")),
            (
                DUE_RELATIVE,
                _(
                    "Within a number of days of being assigned or of joining the unit, "
                    "whichever is later"
                ),
            ),
        ],
        initial=DUE_FIXED,
        required=False,
    )
    due_date = forms.DateField(
        label=_("Due date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
        error_messages={"invalid": _("Enter the due date as a real date.")},
    )
    days_allowed = forms.IntegerField(
        label=_("Days to complete"),
        min_value=1,
        max_value=3650,
        initial=30,
        required=False,
        help_text=_(
            "With a due date relative to each person, the days they have. With a fixed date, "
            "people who join the unit later still get this many days from joining."
        ),
    )
    renewal_days = forms.IntegerField(
        label=_("Days to pass again"),
        min_value=1,
        max_value=3650,
        initial=30,
        required=False,
        help_text=_(
            "For a module whose pass expires: the days people have to pass it again "
            "once their pass no longer counts."
        ),
    )
    # The fingerprint of the choices the preview showed: saving needs it to match.
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, root: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.root = root
        self.fields["unit"].queryset = Unit.objects.subtree(root)
        self.fields["unit"].initial = root.pk
        self.fields["chosen"].queryset = Employee.objects.filter(
            unit__path__startswith=root.path
        ).select_related("user", "unit")

    def chosen_ids(self) -> list[int]:
        """The ids ticked in the name search, as sent (for showing them again)."""
        return [int(value) for value in self.data.getlist("chosen") if value.isdigit()][:200]

    def clean_due_date(self):
        due_date = self.cleaned_data["due_date"]
        if due_date is not None and due_date < timezone.localdate():
            raise forms.ValidationError(_("The due date is in the past."))
        return due_date

    def clean(self):
        data = super().clean()
        data["due"] = data.get("due") or self.DUE_FIXED
        for name in ("days_allowed", "renewal_days"):
            if data.get(name) is None and name not in self.errors:
                data[name] = self.fields[name].initial
        if (
            data["due"] == self.DUE_FIXED
            and not data.get("due_date")
            and "due_date" not in self.errors
        ):
            self.add_error("due_date", _("Enter the due date."))
        if data["due"] == self.DUE_RELATIVE:
            data["due_date"] = None  # the date field is ignored for a relative due date
        if data.get("target") == self.TARGET_UNIT and not data.get("unit"):
            self.add_error("unit", _("Choose the unit."))
        if data.get("target") == self.TARGET_PEOPLE:
            data["employees"] = self.chosen_people(data.get("people", ""))
        return data

    def fingerprint(self) -> str:
        """What the admin chose, as a short digest: a preview is valid for
        exactly these choices."""
        data = self.cleaned_data
        chosen = [
            sorted(module.pk for module in data["modules"]),
            data["target"],
            data["unit"].pk if data.get("unit") and data["target"] == self.TARGET_UNIT else None,
            sorted(e.pk for e in data.get("employees", [])),
            data["due"],
            data["due_date"].isoformat() if data.get("due_date") else None,
            data["days_allowed"],
            data["renewal_days"],
        ]
        return hashlib.sha256(repr(chosen).encode()).hexdigest()[:16]

    @property
    def confirmed(self) -> bool:
        return self.cleaned_data.get("previewed") == self.fingerprint()

    def chosen_people(self, text: str) -> list[Employee]:
        numbers = {number for number in text.replace(",", " ").split() if number}
        by_name = list(self.cleaned_data.get("chosen") or [])
        if not numbers:
            if not by_name:
                self.add_error(
                    "people", _("Find people by name, or enter at least one employee number.")
                )
            return by_name
        found = list(
            Employee.objects.filter(
                employee_number__in=numbers, unit__path__startswith=self.root.path
            ).select_related("user")
        )
        # Numbers outside the admin's subtree read as unknown: they reveal nothing.
        unknown = sorted(numbers - {employee.employee_number for employee in found})
        if unknown:
            self.add_error(
                "people",
                _("No one in this unit has the employee number: %(numbers)s")
                % {"numbers": ", ".join(unknown)},
            )
        known = {employee.pk for employee in found}
        return found + [employee for employee in by_name if employee.pk not in known]


SEARCH_RESULTS = 20


def search_people(root: Unit, text: str, *, chosen: list[int]) -> tuple[list, list]:
    """For the assign form's name search: the people already ticked, and up
    to SEARCH_RESULTS others in `root`'s subtree whose name or employee
    number contains `text`, in name order. Two queries."""
    people = Employee.objects.filter(unit__path__startswith=root.path).select_related("unit")
    ticked = list(people.filter(pk__in=chosen).order_by("sort_name", "full_name"))
    text = text.strip()[:100]
    if not text:
        return ticked, []
    found = (
        people.filter(Q(full_name__icontains=text) | Q(employee_number__icontains=text))
        .exclude(pk__in=chosen)
        .order_by("sort_name", "full_name")[:SEARCH_RESULTS]
    )
    return ticked, list(found)


class EmployeeImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        error_messages={"required": _("Choose the CSV file to import.")},
        help_text=_("UTF-8 CSV with a header row: full_name, employee_number, unit_code, email."),
    )


class AcknowledgeForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm that I have read and will abide by this commitment."),
        error_messages={"required": _("Tick the box to confirm the commitment.")},
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


class BulkPrintForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Unit (and the units below it)"), queryset=Unit.objects, empty_label=None
    )
    module = ModelChoiceField(
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
        }


class TargetUnitsField(ModelMultipleChoiceField):
    def __init__(self, *args, root_depth: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.root_depth = root_depth

    def label_from_instance(self, unit: Unit) -> str:
        # Indented below the admin's unit, so the tree reads as checkboxes.
        return f"{INDENT * (unit.depth - self.root_depth)}{unit.name}"


class CampaignForm(forms.Form):
    """A campaign of `root`: its name and dates, its modules, the units of
    `root`'s subtree it targets and their due date, fixed or relative (as
    the assign form has it)."""

    DUE_FIXED, DUE_RELATIVE = AssignForm.DUE_FIXED, AssignForm.DUE_RELATIVE

    name = forms.CharField(
        label=_("Campaign name"),
        max_length=200,
        help_text=_("For example “2027年全民国家安全教育日”."),
        error_messages={"required": _("Enter the campaign's name.")},
    )
    starts_on = forms.DateField(
        label=_("Starts on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the day the campaign starts."),
            "invalid": _("Enter the start as a real date."),
        },
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The ranking is the one at the end of this day."),
        error_messages={
            "required": _("Enter the day the campaign ends."),
            "invalid": _("Enter the end as a real date."),
        },
    )
    modules = ModelMultipleChoiceField(
        label=_("Modules"),
        queryset=Module.objects.published(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one module.")},
    )
    target_units = TargetUnitsField(
        label=_("Units taking part"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Everyone in each unit and the units below it, including people who join later."
        ),
        error_messages={
            "required": _("Choose at least one unit."),
            "invalid_choice": _("Choose only units of your own unit or below it."),
        },
    )
    due = forms.ChoiceField(
        label=_("Due"),
        widget=forms.RadioSelect,
        choices=AssignForm.base_fields["due"].choices,
        initial=DUE_FIXED,
        required=False,
    )
    # The assign form's own fields, so both forms ask for a due date alike.
    due_date = copy.deepcopy(AssignForm.base_fields["due_date"])
    days_allowed = copy.deepcopy(AssignForm.base_fields["days_allowed"])

    def __init__(self, *args, root: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.root = root
        targets = self.fields["target_units"]
        targets.queryset = Unit.objects.subtree(root)
        targets.root_depth = root.depth

    def clean(self):
        data = super().clean()
        today = local_today()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end date is before the start date."))
        elif ends_on and ends_on < today:
            self.add_error("ends_on", _("The end date is in the past: the campaign would be over."))
        data["due"] = data.get("due") or self.DUE_FIXED
        if data.get("days_allowed") is None and "days_allowed" not in self.errors:
            data["days_allowed"] = self.fields["days_allowed"].initial
        if data["due"] == self.DUE_RELATIVE:
            data["due_date"] = None  # the date field is ignored for a relative due date
        elif "due_date" not in self.errors:
            due_date = data.get("due_date")
            if not due_date:
                self.add_error("due_date", _("Enter the due date."))
            elif due_date < today:
                self.add_error("due_date", _("The due date is in the past."))
            elif starts_on and due_date < starts_on:
                self.add_error("due_date", _("The due date is before the campaign starts."))
        self.refuse_nested(data.get("target_units") or [])
        return data

    def refuse_nested(self, units) -> None:
        """A unit below another chosen one is already in the campaign through
        it, and would count twice in the ranking: say so rather than guess."""
        by_path = sorted(units, key=lambda unit: unit.path)
        for lower in by_path:
            upper = next((u for u in by_path if u != lower and lower.is_below(u)), None)
            if upper is not None:
                self.add_error(
                    "target_units",
                    _(
                        "%(lower)s is part of %(upper)s, which is chosen too: "
                        "choose one or the other."
                    )
                    % {"lower": lower.name, "upper": upper.name},
                )


class StudyHoursForm(forms.Form):
    """A unit's yearly study-hour requirement; blank follows the unit above."""

    yearly_study_hours = forms.DecimalField(
        label=_("Study hours each person owes a year"),
        required=False,
        min_value=0,
        max_value=1000,
        max_digits=5,
        decimal_places=1,
        help_text=_("For example 10 or 2.5. Leave it blank to follow the unit above."),
        # A text field, not a number input (GOV.UK's advice for numbers that
        # are not counted up and down): "ten" gets a message, not a browser's
        # silent refusal. No inputmode: the Nu checker warns it is not
        # supported everywhere.
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
        error_messages={
            "invalid": _("Enter the hours as a number, for example 10 or 2.5."),
            "max_decimal_places": _("Give the hours to one decimal place at most, e.g. 2.5."),
        },
    )
