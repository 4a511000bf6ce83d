"""The Trainers group: the content permissions and nothing else — cases,
lessons, questions and choices. No view of attempts, answers, decision
responses, reopenings, people, completions or certificates: those are
personal data, and trainers see per-question statistics as aggregates.
Trainers read the content's audit trail (who changed a case or a question,
and when) but not that of units, employees, assignments or certificates.

Made by a migration on a new installation and again after every `migrate`
or `flush` (the post_migrate signal), so a test database emptied between
tests still has it."""

TRAINERS = "Trainers"

CONTENT = {
    "cases": [
        "theme",
        "legalprovision",
        "disclosure",
        "case",
        "person",
        "event",
        "redflag",
        "outcome",
    ],
    "lessons": ["module", "lessonsection", "decisionpoint", "decisionoption", "question", "choice"],
}


def make_trainers_group(Group, Permission):
    """The group with exactly the content permissions, and the permission to
    view the content's history (django-simple-history's "historical" models;
    read only: no one edits history). Takes the models so a migration can
    pass its historical ones; before the audit trail's migrations there are
    no history permissions yet, and the post_migrate handler adds them."""
    group, _created = Group.objects.get_or_create(name=TRAINERS)
    wanted = Permission.objects.none()
    for label, models in CONTENT.items():
        wanted |= Permission.objects.filter(
            content_type__app_label=label, content_type__model__in=models
        )
        wanted |= Permission.objects.filter(
            content_type__app_label=label,
            content_type__model__in=[f"historical{model}" for model in models],
            codename__startswith="view_",
        )
    group.permissions.set(wanted)
    return group


def after_migrate(sender, using, apps=None, **kwargs) -> None:
    if apps is None:  # flush sends no state: the models as they are now
        from django.apps import apps
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:
        return
    make_trainers_group(Group, Permission)
