"""My training: one person's modules, what to do next, and how far they are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from completion.models import COMPLETED_STATUSES, Certificate, TrainingStatus, training_of
from lessons.models import Module

# The statuses that still ask something of the person.
OPEN = (
    TrainingStatus.OVERDUE,
    TrainingStatus.EXPIRED,
    TrainingStatus.REOPENED,
    TrainingStatus.IN_PROGRESS,
    TrainingStatus.NOT_STARTED,
)


@dataclass
class MyTraining:
    assigned: list[Module]
    others: list[Module]

    @property
    def completed(self) -> int:
        return sum(module.training_status in COMPLETED_STATUSES for module in self.assigned)

    @property
    def percent(self) -> int:
        return round(100 * self.completed / len(self.assigned)) if self.assigned else 0

    @property
    def next_module(self) -> Module | None:
        """The assigned module to open next (none when all are done, or all
        that remain have no attempts left, which only an admin can change)."""
        open_modules = [m for m in self.assigned if m.training_status in OPEN]
        # Late work first, then the nearest due date; on the same date, the
        # module already begun.
        return min(
            open_modules,
            key=lambda m: (
                m.training_status not in (TrainingStatus.OVERDUE, TrainingStatus.EXPIRED),
                m.due_date,
                m.training_status != TrainingStatus.IN_PROGRESS,
                m.order,
            ),
            default=None,
        )

    @property
    def failed(self) -> list[Module]:
        return [m for m in self.assigned if m.training_status == TrainingStatus.FAILED]


def my_training(user, *, today: date) -> MyTraining:
    """Two queries: the modules with their progress, and the valid certificates."""
    modules = list(training_of(user, today=today).order_by("order", "pk"))
    certificates = {
        certificate.completion.module_id: certificate
        for certificate in Certificate.objects.filter(
            user=user, revoked_at__isnull=True, completion__superseded_at__isnull=True
        ).select_related("completion")
    }
    for module in modules:
        module.certificate = certificates.get(module.pk)
        module.is_completed = module.training_status in COMPLETED_STATUSES
    assigned = sorted((m for m in modules if m.due_date), key=lambda m: (m.due_date, m.order))
    others = [m for m in modules if not m.due_date]
    return MyTraining(assigned=assigned, others=others)
