from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Seuranta administration")
admin.site.site_title = _("Seuranta administration")
admin.site.index_title = _("Strategy follow-up")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("reporting/", include("reports.staff_urls")),
    path("", include("reports.urls")),
    prefix_default_language=False,
)
