"""The language switcher: a link to the same page in each language.

Links rather than a form that posts: a page then holds nothing personal (no CSRF
token), so the public pages can be cached and shared, and each language version has an
address of its own for search engines and bookmarks.
"""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


@register.inclusion_tag("public/_languages.html", takes_context=True)
def language_links(context):
    request = context["request"]
    current = get_language()
    return {
        "languages": [
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": translate_url(request.get_full_path(), code),
                "current": code == current,
            }
            for code, _name in settings.LANGUAGES
        ]
    }
