"""Strings that the officials' admin shows from libraries that have no Finnish or Swedish
translation: django-simple-history's history pages and django-axes' login records.

Marked here only so that makemessages puts them in Seuranta's own catalogues, which
Django reads before any library's (LOCALE_PATHS). Nothing imports this module.
"""

from django.utils.translation import gettext_noop

SIMPLE_HISTORY = [
    gettext_noop("Change History"),
    gettext_noop("Change reason"),
    gettext_noop("Changed by"),
    gettext_noop("Changes"),
    gettext_noop("Date/time"),
    gettext_noop("Object"),
    gettext_noop("Revert"),
    gettext_noop("Comment"),
    gettext_noop("View history: %s"),
    gettext_noop("Change history: %s"),
    gettext_noop("View %s"),
    gettext_noop("Revert %s"),
    gettext_noop("This object doesn't have a change history."),
]

AXES = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Failed Logins"),
    gettext_noop("Logout Time"),
    gettext_noop("Access lock out"),
    gettext_noop("Expires At"),
]
