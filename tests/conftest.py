import io

import pytest

from tests.builders import (
    add_demo_persons,
    default_language,
    rolled_back_after_the_module,
    use_language,
)


@pytest.fixture
def demo_persons(db):
    """The responsible persons and aliases the demo data ships."""
    return add_demo_persons()


@pytest.fixture(autouse=True)
def second_factor_passed(monkeypatch):
    """A test that logs in an official with force_login logs them in as if they had also
    entered their code from the authenticator app: the admin takes only sessions that
    passed the second factor. tests/test_two_factor.py tests that step itself."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    force_login = Client.force_login

    def force_login_with_second_factor(self, user, backend=None):
        force_login(self, user, backend)
        if user.is_staff:
            device, _created = StaticDevice.objects.get_or_create(user=user, name="tests")
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with no cached public page: the database starts over at the same
    public revision in every test, which production's never does."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def language(settings):
    """Messages are asserted in English; Finnish, the default, has tests of its own."""
    with use_language(settings, "en"):
        yield


@pytest.fixture(scope="session", autouse=True)
def plain_http_test_server():
    """The test client and live server speak plain HTTP, have no collectstatic manifest
    and hash passwords quickly.

    Session-wide, so it is in force before the live server builds its middleware. The HTTPS
    redirect and the manifest storage are proven by tests/test_production.py.
    """
    from django.conf import settings
    from django.test import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Password hashing is deliberately slow; the tests log in dozens of users.
    fast_hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(
        SECURE_SSL_REDIRECT=False, STORAGES=storages, PASSWORD_HASHERS=fast_hashers
    ):
        yield


@pytest.fixture
def world(db):
    from tests.builders import World

    return World()


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo data (`manage.py load_demo`, its texts in English), loaded once for each
    test module that asks for it rather than before each of its tests, and rolled back
    after the module's last test (see rolled_back_after_the_module)."""
    from django.core.management import call_command

    with rolled_back_after_the_module(django_db_blocker):
        with default_language("en"):
            call_command("load_demo", stdout=io.StringIO())
        yield


@pytest.fixture
def demo(db, demo_loaded):
    """The demo's reporting periods by label, read afresh for each test: a test that changes
    one leaves no stale copy to the next."""
    from reports.models import ReportingPeriod

    return {period.label: period for period in ReportingPeriod.objects.all()}
