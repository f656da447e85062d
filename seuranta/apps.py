from django.apps import AppConfig


class SeurantaConfig(AppConfig):
    name = "seuranta"
    verbose_name = "Seuranta"

    def ready(self):
        from seuranta import security

        security.connect_login_log()
