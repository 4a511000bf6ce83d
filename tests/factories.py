"""Test data made through the app's own creation paths."""

from __future__ import annotations

import datetime

from cases.models import Disclosure


def make_disclosure() -> Disclosure:
    disclosure, _created = Disclosure.objects.get_or_create(
        publisher="Ministry of State Security",
        title="Three cases",
        published_on=datetime.date(2025, 7, 10),
    )
    return disclosure
