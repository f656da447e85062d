from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import council_report
from reports.models import ReportingPeriod


class Command(BaseCommand):
    help = gettext_lazy(
        "Lay out the council report PDF of every published period, in every language, "
        "where the one kept is older than the last publishing. For cron, or after a "
        "publishing of a large period."
    )

    def handle(self, *args, **options):
        built = 0
        for period in ReportingPeriod.objects.published().select_related("strategy"):
            for language, _name in settings.LANGUAGES:
                if council_report.stored_pdf(period, language) is None:
                    council_report.build_and_store(period, language)
                    built += 1
                    self.stdout.write(
                        _("laid out %(period)s (%(language)s)")
                        % {"period": period.label, "language": language}
                    )
        if not built:
            self.stdout.write(_("Every council report is up to date."))
