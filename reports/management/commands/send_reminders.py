from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reports import notices
from reports.management.commands.export_period import find_period


class Command(BaseCommand):
    help = gettext_lazy(
        "Email the responsible persons who have not submitted their entries of a period: "
        "a reminder before its deadline, or after it once it has passed. A person reminded "
        "already is not reminded again (after the deadline: not again the same day)."
    )

    def add_arguments(self, parser):
        parser.add_argument("period", help=_("reporting period, e.g. 1-8/2022"))
        parser.add_argument("--term", help=_("council term, when the period label is ambiguous"))

    def handle(self, *args, **options):
        period = find_period(options["period"], options["term"])
        result = notices.send_reminders(period)
        if result.period_closed:
            self.stdout.write(
                _("%(period)s is not open for reporting; no reminders sent.")
                % {"period": period.label}
            )
            return
        for person, entries in result.no_address:
            self.stdout.write(
                ngettext(
                    "no email address for %(person)s (%(count)s entry not submitted)",
                    "no email address for %(person)s (%(count)s entries not submitted)",
                    len(entries),
                )
                % {"person": person, "count": len(entries)}
            )
        for person, _entries in result.already_reminded:
            self.stdout.write(
                _("already reminded %(person)s; not again") % {"person": person}
                if result.kind == notices.Kind.BEFORE_DEADLINE
                else _("already reminded %(person)s today; not again") % {"person": person}
            )
        for person, entries in result.sent:
            self.stdout.write(
                ngettext(
                    "emailed %(person)s <%(address)s>: %(count)s entry not submitted",
                    "emailed %(person)s <%(address)s>: %(count)s entries not submitted",
                    len(entries),
                )
                % {
                    "person": person,
                    "address": notices.address_of(person),
                    "count": len(entries),
                }
            )
        if not (result.sent or result.already_reminded or result.no_address):
            self.stdout.write(_("Everyone has submitted; no reminders sent."))
