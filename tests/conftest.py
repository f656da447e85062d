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
