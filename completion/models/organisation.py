"""The organisation: units in a tree, the people in them, and who administers
which part of it.

Units form a tree stored as a materialised path ("0001/0003/"), so a whole
subtree is one indexed `path LIKE '0001/%'` query and reports never walk the
tree in Python.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, ExpressionWrapper, F, OuterRef, Value
from django.db.models.functions import Concat, Substr
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from awareness.dates import local_today

# Each level of the path is a fixed-width segment, so a unit's children sort
# in creation order and "every unit below X" is `path LIKE 'X.path%'`.
SEGMENT_WIDTH = 4
SEGMENT_LIMIT = 10**SEGMENT_WIDTH - 1


class UnitQuerySet(models.QuerySet):
    def subtree(self, unit: Unit) -> UnitQuerySet:
        return self.filter(path__startswith=unit.path)

    def roots(self) -> UnitQuerySet:
        return self.filter(parent__isnull=True)

    def administered_by(self, user) -> UnitQuerySet:
        """Every unit `user` has rights over: the units they administer and
        everything below them (all units for a superuser)."""
        if user.is_superuser:
            return self.all()
        path = ExpressionWrapper(OuterRef("path"), output_field=models.CharField())
        rights = UnitAdmin.objects.filter(StartsWith(path, F("unit__path")), user=user)
        return self.filter(Exists(rights))

    def next_path(self, parent: Unit | None) -> str:
        siblings = self.filter(parent=parent) if parent else self.roots()
        last = siblings.order_by("-path").values_list("path", flat=True).first()
        number = int(last.rstrip("/").rsplit("/", 1)[-1]) + 1 if last else 1
        if number > SEGMENT_LIMIT:
            raise ValueError(f"a unit cannot have more than {SEGMENT_LIMIT} children")
        prefix = parent.path if parent else ""
        return f"{prefix}{number:0{SEGMENT_WIDTH}d}/"

    def create_child(self, parent: Unit | None, *, code: str, name: str) -> Unit:
        """Create a unit under `parent` (a root when None), its path and depth
        set from the parent's."""
        return self.create(
            code=code,
            name=name,
            parent=parent,
            path=self.next_path(parent),
            depth=parent.depth + 1 if parent else 0,
        )


class Unit(models.Model):
    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = UnitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def is_below(self, other: Unit) -> bool:
        return self.path.startswith(other.path)

    @transaction.atomic
    def move_to(self, parent: Unit) -> None:
        """Move this unit, with everything below it, under `parent`: one
        UPDATE rewrites the paths and depths of the whole subtree."""
        if parent.is_below(self):
            raise ValueError("a unit cannot move below itself")
        old_path, new_path = self.path, Unit.objects.next_path(parent)
        shift = parent.depth + 1 - self.depth
        Unit.objects.subtree(self).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + shift,
        )
        self.refresh_from_db()
        self.parent = parent
        # Saved, not updated, so the audit trail records the move (the units
        # below only follow it: their new paths are not recorded one by one).
        self.save(update_fields=["parent"])


class EmployeeQuerySet(models.QuerySet):
    def not_placed(self) -> EmployeeQuerySet:
        """People the directory gave a unit code this site does not know:
        they belong to no unit, so no unit's report or assignment reaches
        them until the unit exists."""
        return self.filter(unit__isnull=True)

    def language_of(self, user) -> str:
        """The language `user` chose in the header ("" when none yet)."""
        return self.filter(user=user).values_list("language", flat=True).first() or ""


class Employee(models.Model):
    """A person's place in the organisation: one unit, a staff number, a name.

    Only a person from the directory can be without a unit ("not placed"):
    the directory named a unit code the site does not have yet."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="employee"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="employees", null=True, blank=True
    )
    employee_number = models.CharField(_("employee number"), max_length=50, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    # The local date the person joined their unit (set whenever the unit
    # changes): someone who joins after a module was assigned gets the
    # assignment's days to complete it from this day.
    unit_since = models.DateField(_("in the unit since"), default=local_today)
    # The language the person chose in the header (blank: the browser's).
    # It is set again at every sign-in, and certificates are issued in it.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )

    # Kept in step with the organisation's directory (completion.directory):
    # sign-in and `sync_directory` update them, and the directory decides
    # whether they may sign in.
    from_directory = models.BooleanField(_("from the directory"), default=False)
    # The unit code the directory gave when no unit has it (blank otherwise).
    directory_unit_code = models.CharField(
        _("unit code in the directory"), max_length=50, blank=True
    )

    objects = EmployeeQuerySet.as_manager()
    # Who changed a person's name, unit or number, and when. The demo's bulk
    # builder (bulk_create) writes no history: see _demo_organisation.py.
    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        """A person who moves to another unit is in it from today."""
        loaded = getattr(self, "_loaded_unit_id", self.unit_id)
        if not self._state.adding and self.unit_id != loaded:
            self.unit_since = local_today()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "unit_since"}
        super().save(*args, **kwargs)
        self._loaded_unit_id = self.unit_id

    @classmethod
    def from_db(cls, db, field_names, values):
        employee = super().from_db(db, field_names, values)
        employee._loaded_unit_id = employee.__dict__.get("unit_id")
        return employee


class UnitAdmin(models.Model):
    """Rights over a unit and every unit below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="admin_of"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="admins")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit admin")
        verbose_name_plural = _("unit admins")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="unique_unit_admin")]

    def __str__(self) -> str:
        return f"{self.user} → {self.unit}"
