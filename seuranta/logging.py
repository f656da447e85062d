"""Logging helpers named in settings.LOGGING."""

import logging


class OneLineWarning(logging.Filter):
    """Log a record as a one-line warning: no traceback, and below the ERROR level that
    would mail ADMINS.

    For requests with a host name not in ALLOWED_HOSTS: scanners send them by the
    thousand, and a traceback of Django's own host check tells an administrator nothing.
    """

    def filter(self, record):
        record.exc_info = None
        record.exc_text = None
        record.levelno = logging.WARNING
        record.levelname = logging.getLevelName(logging.WARNING)
        return True
