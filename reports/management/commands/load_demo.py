import base64
import datetime
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from goals.models import Department, PersonAlias, ResponsiblePerson, Strategy
from reports.legacy.importer import import_legacy_file
from reports.management.commands.import_legacy import format_summary
from reports.models import ProgressEntry, ReportingPeriod
from reports.rules import STAFF_GROUP
from reports.services import Edit, open_period, publish_period, review_entries, save_entries

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "seuranta-demo"  # noqa: S105 - printed to the developer on purpose
# A department's reporter, answering for the Talousjohtaja's goals in an open period.
DEMO_STAFF_USERNAME = "talous"
DEMO_STAFF_PERSON = "Talousjohtaja"
# The reporter's address, where the demo's notices go (printed by the console mail backend).
DEMO_STAFF_EMAIL = "talous@example.com"
# Data, not interface: in the municipality's language, as the legacy files' texts are.
DEMO_STATUS_TEXT = "Työ on aloitettu."
DEMO_REVIEW_COMMENT = "Kerro vielä, mitä on jo tehty ja mitä puuttuu."
DEMO_OPEN_PERIOD = ("2021", "2017-2021")


class Command(BaseCommand):
    help = gettext_lazy(
        "Load the municipality's legacy exports as demo data and create a demo admin. "
        "Safe to run again."
    )

    def handle(self, *args, **options):
        manifest = json.loads((DEMO_DIR / "persons.json").read_text(encoding="utf-8"))
        with transaction.atomic():
            admin = self._admin()
            self._persons(manifest)
            for item in manifest["imports"]:
                path = DEMO_DIR / item["file"]
                summary = import_legacy_file(
                    content=path.read_bytes(),
                    filename=path.name,
                    period=item["period"],
                    term=item["term"],
                    user=admin,
                )
                self.stdout.write(format_summary(summary))
                period = ReportingPeriod.objects.get(pk=summary.period_id)
                if not period.published:
                    # The legacy files are what the municipality published: approve and
                    # publish them through the same workflow as officials do.
                    submitted = period.entries.filter(
                        review_state=ProgressEntry.ReviewState.SUBMITTED
                    )
                    review_entries(submitted, user=admin, approve=True)
                    publish_period(period, user=admin)
            self._open_period(admin)
        self.stdout.write(
            _("Demo admin: http://127.0.0.1:8000/admin/  user “%(user)s”, password “%(password)s”")
            % {"user": DEMO_USERNAME, "password": DEMO_PASSWORD}
        )
        self.stdout.write(
            _(
                "  The admin asks for a second factor: add the key %(key)s to an authenticator "
                "app, or use one of these one-time codes: %(codes)s"
            )
            % {"key": self._totp_key(admin), "codes": ", ".join(self._backup_codes(admin))}
        )
        self.stdout.write(
            _(
                "Demo reporter: http://127.0.0.1:8000/reporting/  user “%(user)s”, "
                "password “%(password)s”"
            )
            % {"user": DEMO_STAFF_USERNAME, "password": DEMO_PASSWORD}
        )

    def _persons(self, manifest):
        departments = {
            name: Department.objects.get_or_create(name=name)[0] for name in manifest["departments"]
        }
        for item in manifest["persons"]:
            person, _created = ResponsiblePerson.objects.get_or_create(
                title=item["title"], defaults={"department": departments.get(item["department"])}
            )
            for alias in item["aliases"]:
                PersonAlias.objects.get_or_create(person=person, alias=alias)

    def _open_period(self, admin):
        """The year 2021 open for reporting, and a reporter for the Talousjohtaja's goals."""
        label, term = DEMO_OPEN_PERIOD
        start_year, end_year = (int(year) for year in term.split("-"))
        strategy = Strategy.objects.get(start_year=start_year, end_year=end_year)
        year, start, end = ReportingPeriod.dates_for(label)
        period, created = ReportingPeriod.objects.get_or_create(
            strategy=strategy,
            label=ReportingPeriod.canonical_label(label),
            defaults={
                "year": year,
                "start_date": start,
                "end_date": end,
                "deadline": timezone.localdate() + datetime.timedelta(days=30),
            },
        )
        User = get_user_model()
        reporter, reporter_created = User.objects.get_or_create(
            username=DEMO_STAFF_USERNAME, defaults={"email": DEMO_STAFF_EMAIL}
        )
        if reporter_created:
            reporter.set_password(DEMO_PASSWORD)
            reporter.save()
            reporter.groups.add(Group.objects.get(name=STAFF_GROUP))
        for person in ResponsiblePerson.objects.filter(title=DEMO_STAFF_PERSON, user=None):
            person.user = reporter
            person._history_user = admin
            person.save()  # saved one by one so that the change is in the person's history
        if created:
            # Linked first, so that the reporter is mailed that the period opened.
            open_period(period, user=admin)
            self._quarter_under_way(period, reporter, admin)

    def _quarter_under_way(self, period, reporter, admin):
        """The reporter's first three entries submitted, and the first of them returned with
        a comment: the demo shows a returned entry, two entries waiting in the officials'
        review queue and the notices sent (mailed to the console)."""
        entries = list(
            ProgressEntry.objects.filter(period=period, responsible__user=reporter).order_by(
                "goal__code"
            )[:3]
        )
        if not entries:
            return
        save_entries(
            [
                Edit(
                    entry_id=entry.pk,
                    loaded_version=entry.version,
                    values={"level": 3, "status_text": DEMO_STATUS_TEXT},
                )
                for entry in entries
            ],
            user=reporter,
            submit=True,
        )
        review_entries(entries[:1], user=admin, approve=False, comment=DEMO_REVIEW_COMMENT)

    def _totp_key(self, admin):
        """The demo admin's authenticator key (base32), the same on every run."""
        device, _created = TOTPDevice.objects.get_or_create(
            user=admin, name="demo", defaults={"confirmed": True}
        )
        return base64.b32encode(device.bin_key).decode()

    def _backup_codes(self, admin):
        """Ten fresh one-time codes for the demo admin (each works once)."""
        device, _created = StaticDevice.objects.get_or_create(user=admin, name="demo codes")
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(10)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        return codes

    def _admin(self):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user
