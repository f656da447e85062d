from django.urls import path, re_path

from .views import public

app_name = "reports"

urlpatterns = [
    path("", public.home, name="home"),
    path("periods/<int:pk>/", public.period_detail, name="period"),
    path("periods/<int:pk>/print/", public.period_print, name="period_print"),
    re_path(
        r"^periods/(?P<pk>[0-9]+)/data\.(?P<fmt>csv|xlsx|json)$",
        public.period_data,
        name="period_data",
    ),
    path("goals/<int:pk>/", public.goal_detail, name="goal"),
    path("compare/", public.compare, name="compare"),
    path("about/", public.about, name="about"),
    path("accessibility/", public.accessibility, name="accessibility"),
    path("feed/", public.for_residents(public.PublishedPeriodsFeed()), name="feed"),
]
