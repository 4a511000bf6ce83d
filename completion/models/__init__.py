"""The completion app's models, one module a concept (Django's "Organizing
models in a package"): the organisation, assignments, campaigns, progress, background
jobs and certificates. Import them from here; each class has this one path."""

from awareness.dates import local_today as local_today
from completion.models.assignments import Assignment as Assignment
from completion.models.assignments import DueDateChange as DueDateChange
from completion.models.campaigns import Campaign as Campaign
from completion.models.certificates import BulkPrintJob as BulkPrintJob
from completion.models.certificates import Certificate as Certificate
from completion.models.certificates import PublicLookup as PublicLookup
from completion.models.certificates import SerialCounter as SerialCounter
from completion.models.certificates import holder_name as holder_name
from completion.models.invitations import Invitation as Invitation
from completion.models.jobs import BackgroundJob as BackgroundJob
from completion.models.jobs import ExportJob as ExportJob
from completion.models.jobs import ScheduledRun as ScheduledRun
from completion.models.organisation import SEGMENT_WIDTH as SEGMENT_WIDTH
from completion.models.organisation import Employee as Employee
from completion.models.organisation import Unit as Unit
from completion.models.organisation import UnitAdmin as UnitAdmin
from completion.models.progress import COMPLETED_STATUSES as COMPLETED_STATUSES
from completion.models.progress import Completion as Completion
from completion.models.progress import TrainingStatus as TrainingStatus
from completion.models.progress import training_of as training_of
from completion.models.progress import with_progress as with_progress
from completion.models.reminders import Reminder as Reminder
