"""The organisation: units in a tree, the people in them, and who administers
which part of it.

Units form a tree stored as a materialised path ("0001/0003/"), so a whole
subtree is one indexed `path LIKE '0001/%'` query and reports never walk the
tree in Python.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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


def ancestor_paths(unit: Unit) -> list[str]:
    """The paths of `unit` and the units above it, read off its own path."""
    segments = unit.path.rstrip("/").split("/")
    return [
        "".join(f"{segment}/" for segment in segments[: depth + 1])
        for depth in range(len(segments))
    ]


class Unit(models.Model):
    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # The study hours (学时) each person in the unit owes a year; blank
    # inherits the requirement of the unit above (none at the top: none).
    yearly_study_hours = models.DecimalField(
        _("yearly study hours"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
        help_text=_("Blank: the same as the unit above."),
    )

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


# Surnames whose usual reading as a character is not their reading as a
# surname: a name's first character is read with these.
SURNAME_READINGS = {
    "曾": "zeng1",
    "单": "shan4",
    "解": "xie4",
    "仇": "qiu2",
    "朴": "piao2",
    "区": "ou1",
    "查": "zha1",
    "盖": "ge3",
    "乐": "yue4",
    "覃": "qin2",
    "缪": "miao4",
    "翟": "zhai2",
    "召": "shao4",
    "秘": "bi4",
    "种": "chong2",
}
SYLLABLE_WIDTH = 6  # the longest pinyin syllable: "zhuang", "shuang"
SORT_NAME_LENGTH = 255


def sort_name(full_name: str) -> str:
    """A key that sorts names as a reader expects, in SQL: Chinese by pinyin
    (syllable by syllable, then by tone: 李 li3 before 梁 liang2 before 刘
    liu2), other names alphabetically, ignoring case and accents.

    Only lowercase ASCII letters and digits, each syllable padded with "0"
    to the same width, so PostgreSQL collations that skip spaces and
    punctuation sort it exactly as SQLite does (byte by byte)."""
    from pypinyin import Style, lazy_pinyin

    name = full_name.strip()
    readings = lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True)
    if name and name[0] in SURNAME_READINGS and readings:
        readings[0] = SURNAME_READINGS[name[0]]
    parts = []
    for reading in readings:
        letters = unicodedata.normalize("NFKD", reading).encode("ascii", "ignore").decode()
        for word in letters.lower().split():
            word = "".join(c for c in word if c.isalnum())
            syllable, tone = word.rstrip("012345"), word[len(word.rstrip("012345")) :]
            if len(word) <= SYLLABLE_WIDTH + 1 and tone:
                parts.append(syllable.ljust(SYLLABLE_WIDTH, "0") + tone)
            elif word:
                parts.append(word + "0")
    return "".join(parts)[:SORT_NAME_LENGTH]


class EmployeeQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Bulk inserts (the directory's first sync, the demo) get their sort key too."""
        objs = list(objs)
        for employee in objs:
            employee.sort_name = sort_name(employee.full_name)
        return super().bulk_create(objs, *args, **kwargs)

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
    # How the name sorts (`sort_name()`), kept in step on every save: the
    # report sorts by it in SQL.
    sort_name = models.CharField(max_length=SORT_NAME_LENGTH, blank=True, editable=False)
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

    def save(self, *args, update_fields=None, **kwargs):
        """The name's sort key is kept in step, and a person who moves to
        another unit is in it from today."""
        self.sort_name = sort_name(self.full_name)
        if update_fields is not None and "full_name" in update_fields:
            update_fields = {*update_fields, "sort_name"}
        loaded = getattr(self, "_loaded_unit_id", self.unit_id)
        if not self._state.adding and self.unit_id != loaded:
            self.unit_since = local_today()
            if update_fields is not None:
                update_fields = {*update_fields, "unit_since"}
        super().save(*args, update_fields=update_fields, **kwargs)
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
