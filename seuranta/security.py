"""Defences around logging in: the client's address, login throttling (django-axes) and
the security log of logins, failed logins and logouts.

The security log is the logger "seuranta.security"; exports write to it too (log_event).
Its lines are `event user="…" ip="…" path="…"`, values quoted so that a username an
attacker typed cannot forge another line or field.
"""

import json
import logging
import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.shortcuts import render

log = logging.getLogger("seuranta.security")


def client_ip(request):
    """The client's address: the peer's, or, behind TRUSTED_PROXY_COUNT proxies of ours,
    the one our outermost proxy appended to X-Forwarded-For.

    Entries further left were written by the client and prove nothing.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [address.strip() for address in header.split(",") if address.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


class LoginAttemptBackend(AxesStandaloneBackend):
    """django-axes' check, first of the authentication backends: a locked-out username
    and address is refused before any password is looked at.

    Authentication without an HTTP request (the test client's login(), a shell) has no
    address to count failures by, so it is passed on to the other backends as usual
    instead of raising as django-axes does. Both login pages, the staff one and the
    admin's, authenticate with their request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response, credentials):
    """The page for a locked-out login (django-axes' AXES_LOCKOUT_CALLABLE)."""
    minutes = math.ceil(get_cool_off(request).total_seconds() / 60)
    # 429 Too Many Requests: the same answer whether or not the password was right.
    return render(request, "staff/lockout.html", {"minutes": minutes}, status=429)


def _quoted(value):
    text = json.dumps("" if value is None else str(value)[:200], ensure_ascii=False)
    # json.dumps leaves a few non-printable characters (U+2028, C1 controls) as they are.
    return "".join(char if char.isprintable() else f"\\u{ord(char):04x}" for char in text)


def log_event(event, request, username):
    """One line of the security log, in the format of the login lines."""
    log.info(
        "%s user=%s ip=%s path=%s",
        event,
        _quoted(username),
        _quoted(client_ip(request) if request is not None else None),
        _quoted(request.path if request is not None else None),
    )


def _logged_in(sender, request, user, **kwargs):
    log_event("login", request, user.get_username())


def _login_failed(sender, credentials, request=None, **kwargs):
    log_event("login-failed", request, credentials.get("username"))


def _logged_out(sender, request, user, **kwargs):
    log_event("logout", request, user.get_username() if user is not None else None)


def connect_login_log():
    user_logged_in.connect(_logged_in, dispatch_uid="seuranta.security.login")
    user_login_failed.connect(_login_failed, dispatch_uid="seuranta.security.login-failed")
    user_logged_out.connect(_logged_out, dispatch_uid="seuranta.security.logout")
