"""The language switcher: a link to the same page in each language.

Links rather than a form that posts: a page then holds nothing personal (no CSRF
token), so the public pages can be cached and shared, and each language version has an
address of its own for search engines and bookmarks.
"""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_info

register = template.Library()


@register.filter
def in_data_language(value):
    """Text that the municipality wrote (titles, status texts, risks, persons' titles)
    marked as written in its language (settings.CONTENT_LANGUAGE) on a page in another
    language, so that a screen reader reads it with the right voice (WCAG 3.1.2).
    Empty text stays empty, for `|default:` to follow."""
    return _in_language_of_page(value, settings.CONTENT_LANGUAGE)


@register.filter
def goal_title(goal):
    """A goal's title in the page's language where the strategy team wrote one, else as
    the municipality wrote it, marked as such (see in_data_language)."""
    title, language = goal.title_in(get_language())
    return _in_language_of_page(title, language)


@register.filter
def in_its_language(written):
    """A (text, language) pair, such as Goal.title_in gives, marked as goal_title does."""
    text, language = written
    return _in_language_of_page(text, language)


def _in_language_of_page(text, language):
    if not text:
        return ""
    if get_language() == language:
        return text
    return format_html('<span lang="{}">{}</span>', language, text)


@register.inclusion_tag("public/_languages.html", takes_context=True)
def language_links(context):
    request = context["request"]
    current = get_language()
    return {
        "languages": [
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": _in_language(request.get_full_path(), code, current),
                "current": code == current,
            }
            for code, _name in settings.LANGUAGES
        ]
    }


def _in_language(path, code, current):
    translated = translate_url(path, code)
    if translated != path or code == current:
        return translated
    # No page of the site has this address (a 404 page): the same address in the other
    # language's prefix, so that the visitor at least reads the error in their language.
    for other, _name in settings.LANGUAGES:
        if path.startswith(f"/{other}/"):
            path = path[len(other) + 1 :]
            break
    return path if code == settings.LANGUAGE_CODE else f"/{code}{path}"
