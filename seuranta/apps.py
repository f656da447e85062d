from axes import apps as axes_apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static import apps as otp_static_apps
from django_otp.plugins.otp_totp import apps as otp_totp_apps


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


# The admin's sections for the security apps, in the officials' language (the apps name
# themselves in English). Named in INSTALLED_APPS; none is this module's default.
class AxesConfig(axes_apps.AppConfig):
    default = False
    verbose_name = _("Login attempts")


class OneTimeCodesConfig(otp_static_apps.DefaultConfig):
    default = False
    verbose_name = _("Two-factor login: one-time codes")

    def ready(self):
        super().ready()
        # django-otp names its models in English only, with plain strings.
        meta = self.get_model("StaticDevice")._meta
        meta.verbose_name, meta.verbose_name_plural = _("code list"), _("code lists")


class AuthenticatorAppsConfig(otp_totp_apps.DefaultConfig):
    default = False
    verbose_name = _("Two-factor login: authenticator apps")

    def ready(self):
        super().ready()
        meta = self.get_model("TOTPDevice")._meta
        meta.verbose_name, meta.verbose_name_plural = (
            _("authenticator app"),
            _("authenticator apps"),
        )
