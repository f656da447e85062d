import pytest

from tests.builders import add_demo_persons, use_language


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
