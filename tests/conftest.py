import pytest

from tests.builders import add_demo_persons


@pytest.fixture
def demo_persons(db):
    """The responsible persons and aliases the demo data ships."""
    return add_demo_persons()


@pytest.fixture(autouse=True)
def english(settings):
    """Messages are asserted in English; Finnish, the default, has tests of its own."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def test_client_settings(settings):
    """The test client speaks plain HTTP and has no collectstatic manifest.

    The HTTPS redirect and the manifest storage are proven by tests/test_production.py.
    """
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
