from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.export import period_records, to_csv, to_json
from reports.legacy.importer import parse_term
from reports.models import ReportingPeriod


class Command(BaseCommand):
    help = gettext_lazy("Write a reporting period's progress entries as JSON or CSV.")

    def add_arguments(self, parser):
        parser.add_argument("period", help=_("reporting period, e.g. 1-8/2022"))
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--term", help=_("council term, when the period label is ambiguous"))
        parser.add_argument("--output", "-o", help=_("file to write; standard output if omitted"))

    def handle(self, *args, **options):
        period = find_period(options["period"], options["term"])
        records = period_records(period)
        if options["format"] == "csv":
            text = to_csv(records)
        else:
            text = to_json(period, records) + "\n"
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as output:
                output.write(text)
        else:
            self.stdout.write(text, ending="")


def find_period(label, term=None):
    canonical = ReportingPeriod.canonical_label(label)
    if canonical is None:
        raise CommandError(_("“%(period)s” is not a reporting period") % {"period": label})
    periods = ReportingPeriod.objects.filter(label=canonical).select_related("strategy")
    if term:
        years = parse_term(term)
        if years is None:
            raise CommandError(_("“%(term)s” is not a council term") % {"term": term})
        periods = periods.filter(strategy__start_year=years[0], strategy__end_year=years[1])
    periods = list(periods)
    if not periods:
        raise CommandError(_("there is no reporting period %(period)s") % {"period": canonical})
    if len(periods) > 1:
        raise CommandError(
            _("period %(period)s exists in several terms; name one with --term")
            % {"period": canonical}
        )
    return periods[0]
