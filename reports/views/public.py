from django.shortcuts import render

from reports.models import ReportingPeriod


def home(request):
    periods = ReportingPeriod.objects.published().select_related("strategy")
    return render(request, "public/home.html", {"periods": periods})
