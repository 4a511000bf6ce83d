"""Who must complete which module by when, who did, and their certificates.

Units form a tree stored as a materialised path ("0001/0003/"), so a whole
subtree is one indexed `path LIKE '0001/%'` query and reports never walk the
tree in Python. Completions and certificates are history: never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lessons.models import Attempt, Module


class UnitQuerySet(models.QuerySet):
    def subtree(self, unit: Unit) -> UnitQuerySet:
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class Employee(models.Model):
    """A person's place in the organisation: one unit, a staff number, a name."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="employee"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="employees")
    employee_number = models.CharField(_("employee number"), max_length=50, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")

    def __str__(self) -> str:
        return self.full_name


class UnitAdmin(models.Model):
    """Rights over a unit and every unit below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="admin_of"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="admins")

    class Meta:
        verbose_name = _("unit admin")
        verbose_name_plural = _("unit admins")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="unique_unit_admin")]

    def __str__(self) -> str:
        return f"{self.user} → {self.unit}"


class Assignment(models.Model):
    """A module someone must complete by a date: everyone in a unit's subtree
    (including people who join later), or one person."""

    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    due_date = models.DateField(_("due date"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=True) ^ models.Q(user__isnull=True),
                name="assignment_has_one_target",
            ),
            models.UniqueConstraint(
                fields=["module", "unit"],
                condition=models.Q(unit__isnull=False),
                name="unique_unit_assignment",
            ),
            models.UniqueConstraint(
                fields=["module", "user"],
                condition=models.Q(user__isnull=False),
                name="unique_user_assignment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module} → {self.unit or self.user}"


class DueDateChange(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="due_date_changes"
    )
    old_due_date = models.DateField()
    new_due_date = models.DateField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.old_due_date} → {self.new_due_date}"


class CompletionQuerySet(models.QuerySet):
    def record(self, *, attempt: Attempt) -> Completion:
        """Record `attempt` (a passed, submitted attempt) as the completion of
        its module, unless the person already completed it: the first pass is
        the one that counts, and it is never rewritten."""
        completion, _ = self.get_or_create(
            user=attempt.user,
            module=attempt.module,
            defaults={
                "attempt": attempt,
                "score": attempt.score,
                "completed_at": attempt.submitted_at,
            },
        )
        return completion


class Completion(models.Model):
    """The first pass of a module by a person, written once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="completions"
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="completions")
    attempt = models.OneToOneField(Attempt, on_delete=models.PROTECT, related_name="completion")
    score = models.PositiveSmallIntegerField(_("score (%)"))
    completed_at = models.DateTimeField(_("completed"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledgement_text = models.TextField(blank=True)

    objects = CompletionQuerySet.as_manager()

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="one_completion_per_module")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.module}"


# Certificates live in their own module; importing them here registers them
# as models of this app.
from completion.certificate_models import BulkPrintJob, Certificate, SerialCounter  # noqa: E402

__all__ = [
    "Assignment",
    "BulkPrintJob",
    "Certificate",
    "Completion",
    "DueDateChange",
    "Employee",
    "SerialCounter",
    "Unit",
    "UnitAdmin",
]
