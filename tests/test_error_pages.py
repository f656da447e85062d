"""The site's own error pages, in the visitor's language, with DEBUG off."""

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("prefix", "heading"),
    # English is the tests' default language, without a prefix.
    [("/fi", "Sivua ei löytynyt"), ("/sv", "Sidan hittades inte"), ("", "Page not found")],
)
def test_it_says_a_page_was_not_found_in_the_visitors_language(client, settings, prefix, heading):
    settings.DEBUG = False

    response = client.get(f"{prefix}/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert 'class="skip-link"' in page  # the site's own layout, with its navigation
    assert 'href="/sv/no-such-page/"' in page or prefix == "/sv"


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fi", "Jokin meni vikaan"), ("sv", "Något gick fel"), ("en", "Something went wrong")],
)
def test_it_explains_a_server_error_without_needing_the_database(
    settings, django_assert_num_queries, language, heading
):
    settings.DEBUG = False
    request = RequestFactory().get("/")

    with translation.override(language), django_assert_num_queries(0):
        response = server_error(request)

    assert response.status_code == 500
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert f"<h1>{heading}</h1>" in page
