from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reports.management.commands.export_period import find_period
from reports.models import ProgressEntry


class Command(BaseCommand):
    help = gettext_lazy(
        "Email the responsible persons who have not submitted their entries of a period."
    )

    def add_arguments(self, parser):
        parser.add_argument("period", help=_("reporting period, e.g. 1-8/2022"))
        parser.add_argument("--term", help=_("council term, when the period label is ambiguous"))
        parser.add_argument("--site", default="", help=_("the site's address for the link"))

    def handle(self, *args, **options):
        period = find_period(options["period"], options["term"])
        pending = (
            ProgressEntry.objects.filter(
                period=period,
                review_state__in=[
                    ProgressEntry.ReviewState.DRAFT,
                    ProgressEntry.ReviewState.RETURNED,
                ],
                responsible__isnull=False,
            )
            .select_related("responsible__user", "goal")
            .order_by("responsible__title", "goal__code")
        )
        by_person = {}
        for entry in pending:
            by_person.setdefault(entry.responsible, []).append(entry)
        link = options["site"].rstrip("/") + reverse("staff:period", args=[period.pk])
        for person, entries in by_person.items():
            address = person.email or (person.user.email if person.user else "")
            if not address:
                self.stdout.write(
                    ngettext(
                        "no email address for %(person)s (%(count)s entry not submitted)",
                        "no email address for %(person)s (%(count)s entries not submitted)",
                        len(entries),
                    )
                    % {"person": person, "count": len(entries)}
                )
                continue
            codes = "\n".join(f"- {entry.goal.code} {entry.goal.title}" for entry in entries)
            send_mail(
                subject=_("Reminder: report on %(period)s") % {"period": period.label},
                message=_(
                    "Hello,\n\nthese entries of the strategy follow-up for %(period)s have not "
                    "been submitted yet:\n\n%(codes)s\n\nReport at %(link)s\n"
                )
                % {"period": period.label, "codes": codes, "link": link},
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[address],
            )
            self.stdout.write(
                ngettext(
                    "emailed %(person)s <%(address)s>: %(count)s entry not submitted",
                    "emailed %(person)s <%(address)s>: %(count)s entries not submitted",
                    len(entries),
                )
                % {"person": person, "address": address, "count": len(entries)}
            )
        if not by_person:
            self.stdout.write(_("Everyone has submitted; no reminders sent."))
