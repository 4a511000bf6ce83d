"""The organisation's directory (OpenLDAP, Active Directory): signing in
with it, and keeping people in step with it.

Sign-in goes through django-auth-ldap (`DirectoryBackend`, on only when
AUTH_LDAP_SERVER_URI is set); `sync` reads everyone under the search base
for `manage.py sync_directory` and the worker's schedule. What an entry
means for a person — name, email, staff number, unit — is decided once, by
`follow`, for both.

A person's unit comes from the unit code in their entry. A code the site
has no unit for leaves them "not placed": they can sign in, but belong to
no unit, so no unit's report or assignment reaches them until it exists.
People gone from the directory are made inactive, never deleted: their
attempts, completions and certificates stay in the reports.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import ldap
import ldap.dn
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django_auth_ldap.backend import LDAPBackend, ldap_error
from django_auth_ldap.config import LDAPSearch, LDAPSettings
from ldap.cidict import cidict
from ldap.controls import SimplePagedResultsControl

from completion.models import Employee, Unit, UnitAdmin

logger = logging.getLogger(__name__)

# A directory that does not answer fails the sign-in within seconds, not
# after the TCP timeout; a search of a large directory gets longer.
CONNECT_TIMEOUT = 5
SEARCH_TIMEOUT = 60
PAGE_SIZE = 500
# Usernames are compared as django-auth-ldap stores them: lower case.
USERNAME_IN_FILTER = re.compile(r"\(([\w-]+)=%\(user\)s\)")


class DirectoryError(Exception):
    """The directory cannot be used as configured; nothing was changed."""


def enabled() -> bool:
    return bool(settings.AUTH_LDAP_SERVER_URI)


def connection_options() -> dict:
    # Active Directory answers searches of a domain root with referrals
    # that python-ldap would otherwise chase anonymously.
    return {
        ldap.OPT_NETWORK_TIMEOUT: CONNECT_TIMEOUT,
        ldap.OPT_TIMEOUT: SEARCH_TIMEOUT,
        ldap.OPT_REFERRALS: 0,
    }


def username_attribute() -> str:
    """The attribute the sign-in filter matches the username against
    (`uid`, `sAMAccountName`): the one that names a person in a sync."""
    match = USERNAME_IN_FILTER.search(settings.AUTH_LDAP_USER_FILTER)
    if match is None:
        raise DirectoryError("AUTH_LDAP_USER_FILTER must contain (attribute=%(user)s)")
    return match.group(1)


def everyone_filter() -> str:
    """The sign-in filter with the username left open: everyone who may sign in."""
    return settings.AUTH_LDAP_USER_FILTER.replace("%(user)s", "*")


def person_attributes() -> list[str]:
    return [
        username_attribute(),
        settings.AUTH_LDAP_ATTR_FULL_NAME,
        "cn",
        settings.AUTH_LDAP_ATTR_EMAIL,
        settings.AUTH_LDAP_ATTR_EMPLOYEE_NUMBER,
        settings.AUTH_LDAP_ATTR_UNIT_CODE,
    ]


# -- What an entry says about a person ---------------------------------------


@dataclass(frozen=True)
class Entry:
    username: str
    full_name: str
    email: str
    employee_number: str
    unit_code: str


def _first(attrs, name: str) -> str:
    values = attrs.get(name) or []
    value = values[0] if values else ""
    return (value.decode("utf-8") if isinstance(value, bytes) else value).strip()


def _limit(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def entry_from(attrs, *, username: str) -> Entry:
    """Read a person's entry (attribute names in any case); raises
    ValueError with the reason when it cannot be used."""
    attrs = cidict(attrs)
    full_name = _first(attrs, settings.AUTH_LDAP_ATTR_FULL_NAME) or _first(attrs, "cn")
    entry = Entry(
        username=username.lower(),
        full_name=full_name or username,
        email=_first(attrs, settings.AUTH_LDAP_ATTR_EMAIL),
        # Not every directory keeps staff numbers (Active Directory often
        # leaves employeeNumber empty): the username is unique too.
        employee_number=_first(attrs, settings.AUTH_LDAP_ATTR_EMPLOYEE_NUMBER) or username,
        unit_code=_first(attrs, settings.AUTH_LDAP_ATTR_UNIT_CODE),
    )
    User = get_user_model()
    for value, limit in [
        (entry.username, _limit(User, "username")),
        (entry.full_name, _limit(Employee, "full_name")),
        (entry.email, _limit(User, "email")),
        (entry.employee_number, _limit(Employee, "employee_number")),
        (entry.unit_code, _limit(Employee, "directory_unit_code")),
    ]:
        if len(value) > limit:
            raise ValueError(f"“{value[:40]}…” is longer than {limit} characters")
    return entry


def may_follow_directory(user) -> bool:
    """Whether a directory entry of the same username may run this account.
    A local account with a password, or with rights, is never taken over:
    the superuser keeps signing in with their own password when the
    directory is down, and no entry named "admin" becomes the admin."""
    employee = getattr(user, "employee", None)
    if employee is not None and employee.from_directory:
        return True
    return not (
        user.has_usable_password() or user.is_staff or user.is_superuser or user.admin_of.exists()
    )


def follow(user, employee: Employee | None, entry: Entry, *, units: dict[str, Unit]) -> str:
    """Bring a saved `user` and their employee record (None: not made yet)
    in line with `entry`.
    Returns what happened: created, moved, updated or unchanged. Moving a
    person changes only their unit: their records stay theirs."""
    unit = units.get(entry.unit_code)
    user_fields = {"first_name": entry.full_name[:150], "email": entry.email, "is_active": True}
    user_changed = any(getattr(user, name) != value for name, value in user_fields.items())
    if user_changed:
        for name, value in user_fields.items():
            setattr(user, name, value)
        user.save(update_fields=list(user_fields))

    values = {
        # By id: comparing the unit itself would fetch it, a query a person.
        "unit_id": unit.pk if unit else None,
        "employee_number": entry.employee_number,
        "full_name": entry.full_name,
        "from_directory": True,
        "directory_unit_code": "" if unit else entry.unit_code,
    }
    if employee is None:
        user.employee = Employee.objects.create(user=user, **values)
        return "created"
    moved = employee.unit_id != values["unit_id"]
    changed = [name for name, value in values.items() if getattr(employee, name) != value]
    if changed:
        for name in changed:
            setattr(employee, name, values[name])
        employee.save(update_fields=changed)
    if moved:
        return "moved"
    return "updated" if changed or user_changed else "unchanged"


def contacts_for_not_placed() -> list[str]:
    """Whom a person not placed yet should ask: the admins of the top of the
    organisation, the only ones who see people outside every unit."""
    admins = UnitAdmin.objects.filter(unit__parent__isnull=True).select_related("user__employee")
    names = []
    for admin in admins.order_by("user__username"):
        employee = getattr(admin.user, "employee", None)
        name = employee.full_name if employee else admin.user.get_full_name()
        names.append(name or admin.user.get_username())
    return list(dict.fromkeys(names))


# -- Signing in ---------------------------------------------------------------


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap configured from our settings: the user is found by
    AUTH_LDAP_USER_FILTER under AUTH_LDAP_USER_SEARCH_BASE, binds with their
    own password, and their account and employee record follow the entry."""

    @property
    def settings(self) -> LDAPSettings:
        if self._settings is None:
            ldap_settings = LDAPSettings(self.settings_prefix, self.default_settings)
            ldap_settings.USER_SEARCH = LDAPSearch(
                settings.AUTH_LDAP_USER_SEARCH_BASE,
                ldap.SCOPE_SUBTREE,
                settings.AUTH_LDAP_USER_FILTER,
                person_attributes(),
            )
            ldap_settings.CONNECTION_OPTIONS = connection_options()
            self._settings = ldap_settings
        return self._settings

    def get_or_build_user(self, username, ldap_user):
        user, built = super().get_or_build_user(username, ldap_user)
        if not built and not may_follow_directory(user):
            raise ldap_user.AuthenticationFailed("a local account has this username")
        return user, built

    def authenticate_ldap_user(self, ldap_user, password):
        try:
            # The account and its employee record are made together, or not at all.
            with transaction.atomic():
                user = super().authenticate_ldap_user(ldap_user, password)
                if user is not None:
                    entry = entry_from(ldap_user.attrs, username=user.get_username())
                    employee = getattr(user, "employee", None)
                    units = Unit.objects.in_bulk(field_name="code")
                    outcome = follow(user, employee, entry, units=units)
                    logger.info("Directory sign-in of %s: %s", entry.username, outcome)
        except (ValueError, IntegrityError) as error:
            # An entry this site cannot hold (a staff number used by another
            # account, a name too long) is the directory admins' to fix.
            logger.error("Directory entry of %s cannot be used: %s", ldap_user.dn, error)
            request = getattr(ldap_user, "_request", None)
            if request is not None:
                request.directory_problem = "entry"
            return None
        return user

    def get_user(self, user_id):
        # A person the directory no longer lists is signed out at once.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


def _note_outage(sender, context, user, request, exception, **kwargs) -> None:
    """django-auth-ldap reports a directory it cannot use (down, or the
    service account refused) only through this signal; the sign-in form
    reads the note to say so instead of "wrong password"."""
    logger.error("The directory could not be used (%s): %s", context, exception)
    if request is not None:
        request.directory_problem = "unavailable"


ldap_error.connect(_note_outage, sender=DirectoryBackend, dispatch_uid="directory-outage")


# -- Keeping everyone in step: manage.py sync_directory -------------------------


# What `sync_directory` reports, in the order it prints them.
COUNTED = ["created", "updated", "moved", "deactivated", "not_placed", "errors"]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    deactivated: int = 0
    not_placed: int = 0
    units_created: int = 0
    units_updated: int = 0
    units_moved: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return len(self.problems)


def connect():
    """A connection bound as the service account; DirectoryError if the
    directory is down or refuses the bind."""
    if not enabled():
        raise DirectoryError("AUTH_LDAP_SERVER_URI is not set")
    connection = ldap.initialize(settings.AUTH_LDAP_SERVER_URI)
    for option, value in connection_options().items():
        connection.set_option(option, value)
    try:
        if settings.AUTH_LDAP_START_TLS:
            connection.start_tls_s()
        connection.simple_bind_s(settings.AUTH_LDAP_BIND_DN, settings.AUTH_LDAP_BIND_PASSWORD)
    except ldap.LDAPError as error:
        raise DirectoryError(f"cannot bind to {settings.AUTH_LDAP_SERVER_URI}: {error}") from error
    return connection


def paged_search(
    connection, base: str, filterstr: str, attrlist: list[str], *, page_size: int = PAGE_SIZE
) -> Iterator[list[tuple[str, dict]]]:
    """The entries under `base`, a page at a time (RFC 2696), so a directory
    of any size is read within the server's size limit and our memory."""
    control = SimplePagedResultsControl(criticality=True, size=page_size, cookie="")
    while True:
        message = connection.search_ext(
            base, ldap.SCOPE_SUBTREE, filterstr, attrlist, serverctrls=[control]
        )
        _type, data, _id, controls = connection.result3(message)
        # Active Directory adds referrals, which have no DN.
        yield [(dn, attrs) for dn, attrs in data if dn]
        cookies = [c.cookie for c in controls if c.controlType == control.controlType]
        if not cookies or not cookies[0]:
            return
        control.cookie = cookies[0]


def sync(*, build_units: bool = False, page_size: int = PAGE_SIZE) -> Counts:
    """Read everyone under the search base and bring the site in line:
    create, update and move people, and make those gone inactive. Running it
    again with nothing changed in the directory changes nothing here."""
    connection = connect()
    counts = Counts()
    try:
        if build_units:
            sync_units(connection, counts, page_size=page_size)
        units = Unit.objects.in_bulk(field_name="code")
        name_attribute = username_attribute()
        seen: set[str] = set()
        pages = paged_search(
            connection,
            settings.AUTH_LDAP_USER_SEARCH_BASE,
            everyone_filter(),
            person_attributes(),
            page_size=page_size,
        )
        for page in pages:
            entries = []
            for dn, attrs in page:
                username = _first(cidict(attrs), name_attribute)
                if not username:
                    counts.problems.append(f"{dn}: no {name_attribute}")
                    continue
                # Seen even when unusable: a broken entry is no reason to
                # lock its person out.
                seen.add(username.lower())
                try:
                    entries.append((dn, entry_from(attrs, username=username)))
                except ValueError as error:
                    counts.problems.append(f"{dn}: {error}")
            with transaction.atomic():
                _follow_page(entries, units, counts)
    except ldap.LDAPError as error:
        raise DirectoryError(f"the directory search failed: {error}") from error
    finally:
        connection.unbind_s()
    counts.deactivated = _deactivate_all_but(seen)
    counts.not_placed = (
        Employee.objects.not_placed().filter(from_directory=True, user__is_active=True).count()
    )
    return counts


def _follow_page(entries: list[tuple[str, Entry]], units: dict[str, Unit], counts: Counts):
    """One page of entries: two queries to read what the site has, writes
    only for what changed, and the newcomers inserted together."""
    User = get_user_model()
    users = {
        user.username: user
        for user in User.objects.filter(
            username__in=[entry.username for _dn, entry in entries]
        ).select_related("employee")
    }
    holders = dict(
        Employee.objects.filter(
            employee_number__in=[entry.employee_number for _dn, entry in entries]
        ).values_list("employee_number", "user__username")
    )
    newcomers: dict[str, Entry] = {}
    for dn, entry in entries:
        user = users.get(entry.username)
        if entry.username in newcomers:
            counts.problems.append(f"{dn}: {entry.username} is also another entry's username")
            continue
        if user is not None and not may_follow_directory(user):
            counts.problems.append(f"{dn}: a local account is named {entry.username}")
            continue
        if holders.get(entry.employee_number, entry.username) != entry.username:
            counts.problems.append(
                f"{dn}: employee number {entry.employee_number} belongs to another account"
            )
            continue
        holders[entry.employee_number] = entry.username
        if user is None:
            newcomers[entry.username] = entry
            continue
        employee = getattr(user, "employee", None)  # fetched with the page
        outcome = follow(user, employee, entry, units=units)
        setattr(counts, outcome, getattr(counts, outcome) + 1)
    _create(list(newcomers.values()), units)
    counts.created += len(newcomers)


def _create(entries: list[Entry], units: dict[str, Unit]) -> None:
    """Accounts and employee records for people new to the site, in two
    inserts (a first sync of a large directory is mostly these)."""
    User = get_user_model()
    accounts = []
    for entry in entries:
        user = User(username=entry.username, first_name=entry.full_name[:150], email=entry.email)
        user.set_unusable_password()
        accounts.append(user)
    User.objects.bulk_create(accounts)
    Employee.objects.bulk_create(
        [
            Employee(
                user=user,
                unit=units.get(entry.unit_code),
                employee_number=entry.employee_number,
                full_name=entry.full_name,
                from_directory=True,
                directory_unit_code="" if entry.unit_code in units else entry.unit_code,
            )
            for user, entry in zip(accounts, entries, strict=True)
        ]
    )


def _deactivate_all_but(seen: set[str]) -> int:
    """Make inactive the directory people not in `seen`. A search that found
    nobody at all is taken for a wrong search base, not for everyone gone."""
    active = set(
        Employee.objects.filter(from_directory=True, user__is_active=True).values_list(
            "user__username", flat=True
        )
    )
    gone = sorted(active - seen)
    if not seen and gone:
        raise DirectoryError(
            "the directory listed nobody under AUTH_LDAP_USER_SEARCH_BASE; nobody was deactivated"
        )
    User = get_user_model()
    for start in range(0, len(gone), 1000):
        User.objects.filter(username__in=gone[start : start + 1000]).update(is_active=False)
    return len(gone)


def _dn_key(dn: str) -> tuple:
    return tuple(tuple((t.lower(), v.lower()) for t, v, _f in rdn) for rdn in ldap.dn.str2dn(dn))


def sync_units(connection, counts: Counts, *, page_size: int = PAGE_SIZE) -> None:
    """Build the unit tree from the directory's organisational units: an OU's
    code (AUTH_LDAP_UNIT_ATTR_CODE) is the unit's code, its name
    (AUTH_LDAP_UNIT_ATTR_NAME, else `ou`) the unit's name, and the nearest
    OU above it the unit's parent. Units are never deleted."""
    code_attr, name_attr = settings.AUTH_LDAP_UNIT_ATTR_CODE, settings.AUTH_LDAP_UNIT_ATTR_NAME
    base = settings.AUTH_LDAP_UNIT_SEARCH_BASE or settings.AUTH_LDAP_USER_SEARCH_BASE
    found = {}
    for page in paged_search(
        connection,
        base,
        "(objectClass=organizationalUnit)",
        [code_attr, name_attr, "ou"],
        page_size=page_size,
    ):
        for dn, attrs in page:
            attrs = cidict(attrs)
            code = _first(attrs, code_attr)
            name = _first(attrs, name_attr) or _first(attrs, "ou") or code
            if not code:
                counts.problems.append(f"{dn}: no {code_attr}")
            elif len(code) > _limit(Unit, "code") or len(name) > _limit(Unit, "name"):
                counts.problems.append(f"{dn}: code or name too long")
            else:
                found[_dn_key(dn)] = (dn, code, name)
    by_code = Unit.objects.in_bulk(field_name="code")
    placed: dict[tuple, Unit] = {}
    # Parents before children: fewer RDNs first.
    for key in sorted(found, key=len):
        dn, code, name = found[key]
        parent = next((placed[key[i:]] for i in range(1, len(key)) if key[i:] in placed), None)
        with transaction.atomic():
            unit = by_code.get(code)
            if unit is None:
                unit = Unit.objects.create_child(parent, code=code, name=name)
                counts.units_created += 1
            else:
                if unit.name != name:
                    unit.name = name
                    unit.save(update_fields=["name"])
                    counts.units_updated += 1
                if parent is not None and unit.parent_id != parent.pk:
                    try:
                        unit.move_to(parent)
                    except ValueError as error:
                        counts.problems.append(f"{dn}: {error}")
                    else:
                        counts.units_moved += 1
                        # The paths below it changed with it.
                        by_code = Unit.objects.in_bulk(field_name="code")
                        placed = {k: by_code[u.code] for k, u in placed.items()}
        placed[key] = by_code[code] = unit
