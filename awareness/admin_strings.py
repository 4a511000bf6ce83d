"""Strings of Django's admin and of django-admin-sortable2 that the
project's own translation words differently or that their packages leave
untranslated in Chinese. Listed here so `make makemessages` keeps them in
locale/zh_Hans; the project's translation is read before the packages'.

- "Change": the admin's link to an object's page. Django's Chinese is 修改;
  the project's "Change" was the language switch's 切换, which now has a
  context of its own ("switch language").
- The admin index's column headings for screen readers, and the sortable
  inlines' "move to first/last" buttons, have no Chinese in their packages.
"""

from django.utils.translation import gettext_noop

ADMIN_STRINGS = [
    gettext_noop("Change"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Model name"),
    gettext_noop("Move to first position"),
    gettext_noop("Move to last position"),
]
