"""What a public page says about itself to search engines and to the services that show a
preview of a shared link (the description and Open Graph tags in templates/public/base.html)."""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from reports.models import SiteIdentity

register = template.Library()

# Open Graph names a locale by language and territory; all three are the Finnish
# municipality's languages, English as written in Europe.
OG_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}


@register.tag
def capture(parser, token):
    """`{% capture as name %}…{% endcapture %}` renders its content once into a variable,
    so that a block (the page's title, its description) can fill both the <title> and
    the meta tags: Django lets a template define a block only once."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        # The content was escaped as it was rendered; collapsing its whitespace keeps it so.
        context[self.name] = mark_safe(" ".join(self.nodelist.render(context).split()))
        return ""


@register.simple_tag(takes_context=True)
def page_url(context):
    """The page's absolute address on the site's public host (settings.SITE_URL), the
    same whichever host name the request came in by."""
    return settings.SITE_URL + context["request"].path


@register.simple_tag
def og_locale():
    return OG_LOCALES.get(get_language(), OG_LOCALES[settings.LANGUAGE_CODE])


@register.simple_tag
def og_alternate_locales():
    current = get_language()
    return [OG_LOCALES[code] for code, _name in settings.LANGUAGES if code != current]


@register.simple_tag(takes_context=True)
def municipality_name(context):
    """The municipality's name in the page's language (reports.models.SiteIdentity)."""
    identity = context.get("identity") or SiteIdentity.current()
    return identity.name_in(get_language())
