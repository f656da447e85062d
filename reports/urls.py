from django.urls import path, re_path

from .views import identity, public, report

app_name = "reports"

urlpatterns = [
    path("", public.home, name="home"),
    path("periods/<int:pk>/", public.period_detail, name="period"),
    path("periods/<int:pk>/print/", public.period_print, name="period_print"),
    path("periods/<int:pk>/report.pdf", report.period_pdf, name="period_pdf"),
    re_path(
        r"^periods/(?P<pk>[0-9]+)/data\.(?P<fmt>csv|xlsx|json)$",
        public.period_data,
        name="period_data",
    ),
    path("goals/<int:pk>/", public.goal_detail, name="goal"),
    path("compare/", public.compare, name="compare"),
    path("about/", public.about, name="about"),
    path("accessibility/", public.accessibility, name="accessibility"),
    path("logo", identity.logo, name="logo"),
    path("identity.css", identity.identity_css, name="identity_css"),
    path("feed/", public.for_residents(public.PublishedPeriodsFeed()), name="feed"),
]
