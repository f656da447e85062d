"""Whose site this is, as files the public pages link to: the municipality's logo and a
stylesheet with its colour (a stylesheet, since the Content-Security-Policy allows no
inline style). Both change only when an official saves the identity, which raises the
public revision, so they are cached like every public page."""

from django.http import Http404, HttpResponse
from django.utils.functional import SimpleLazyObject

from reports.models import SiteIdentity
from reports.views.public import for_residents


def identity(request):
    """Context processor: the site identity for every template, read only by a page
    that shows it (not by the admin's), and without the logo's bytes."""
    return {"identity": SimpleLazyObject(lambda: SiteIdentity.current(with_logo=False))}


@for_residents
def logo(request):
    current = SiteIdentity.current()
    if not current.logo_type:
        raise Http404
    return HttpResponse(bytes(current.logo), content_type=current.logo_type)


@for_residents
def identity_css(request):
    colour = SiteIdentity.current().colour
    return HttpResponse(f":root {{ --brand: {colour}; }}\n", content_type="text/css")
