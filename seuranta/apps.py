from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on a site that asks officials for a second factor."""

    default = False  # named in INSTALLED_APPS; SeurantaConfig is this module's default
    default_site = "seuranta.admin.TwoFactorAdminSite"


class SeurantaConfig(AppConfig):
    name = "seuranta"
    verbose_name = "Seuranta"

    def ready(self):
        from seuranta import security

        security.connect_login_log()
