from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = _("Strategy and goals")

    def ready(self):
        import seuranta.checks  # noqa: F401  (registers the project's system checks)
