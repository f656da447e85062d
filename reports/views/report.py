"""The council report of a published period as a PDF download (reports/council_report.py).

A period small enough is laid out while the request waits; a larger one is laid out in
the background, and meanwhile the resident is told to come back in a minute, with the
print view as the way to read it now.
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import get_language

from reports import council_report
from reports.models import PublishedEntry
from reports.views.public import _published_period_or_404, for_residents


@for_residents
def period_pdf(request, pk):
    period = _published_period_or_404(pk)
    language = get_language()
    pdf = council_report.stored_pdf(period, language)
    if pdf is None:
        entries = PublishedEntry.objects.published().filter(period=period).count()
        if entries > settings.COUNCIL_REPORT_SYNC_ENTRIES:
            council_report.build_in_background(period, language)
            response = render(request, "public/report_pending.html", {"period": period}, status=503)
            response["Retry-After"] = "60"
            return response
        pdf = council_report.build_and_store(period, language)
    response = HttpResponse(bytes(pdf), content_type="application/pdf")
    label = f"seuranta {period.strategy.term} {period.label}"
    name = slugify(label.replace("/", " ").replace("–", " "))
    response["Content-Disposition"] = content_disposition_header(False, f"{name}.pdf")
    return response
