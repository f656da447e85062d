"""The password reset request's own limits, so that nobody can flood a staff member's
inbox or the municipality's mail server with reset links.

Requests are counted per email address and per client address, in the default cache:
in production that is Redis (docker-compose.yml), so all gunicorn processes share the
counts; without REDIS_URL each process counts on its own. A count starts with the first
request and lasts PASSWORD_RESET_LIMIT_WINDOW_MINUTES; the key's expiry ends the window.

Over the per-address limit the page answers as always and sends nothing, so the limit
reveals nothing about which addresses have an account; over the per-IP limit the form is
shown again with HTTP 429, which reveals nothing about addresses either.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

from seuranta.security import client_ip, log_event

KEY_PREFIX = "password-reset-limit"


def _count(key):
    """This request's number in the current window of `key`."""
    window = settings.PASSWORD_RESET_LIMIT_WINDOW_MINUTES * 60
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add() and incr(): this one starts the next
        cache.add(key, 1, timeout=window)
        return 1


def normalised(address):
    return address.strip().casefold()


def masked(address):
    """The address for the log: its first character and its domain, v***@tuusula.fi."""
    local, at, domain = normalised(address).rpartition("@")
    return f"{local[:1]}***@{domain}" if at else "***"


def _address_key(address):
    # Hashed: the cache holds no addresses, and a key's length and characters are fixed.
    digest = hashlib.sha256(normalised(address).encode()).hexdigest()
    return f"{KEY_PREFIX}:address:{digest}"


def refused(request, address):
    """Count a reset request for `address` and say which limit, if any, refuses it:
    "ip", "address" or None. A refusal is written to the security log, once.

    A request refused by its client's address sends nothing and is not counted against
    the email address.
    """
    if _count(f"{KEY_PREFIX}:ip:{client_ip(request)}") > settings.PASSWORD_RESET_LIMIT_PER_IP:
        limit = "ip"
    elif _count(_address_key(address)) > settings.PASSWORD_RESET_LIMIT_PER_ADDRESS:
        limit = "address"
    else:
        return None
    log_event(f"password-reset-refused limit={limit}", request, masked(address))
    return limit
