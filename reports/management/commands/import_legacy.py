import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.legacy import LegacyFileError
from reports.legacy.importer import import_legacy_file


class Command(BaseCommand):
    help = gettext_lazy(
        "Import a legacy progress export (tab-separated text or .xlsx) into a period."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the exported file"))
        parser.add_argument("--period", required=True, help=_("reporting period, e.g. 1-8/2022"))
        parser.add_argument("--term", help=_("council term, e.g. 2021-2025"))
        parser.add_argument("--sheet", help=_("the workbook sheet to read (default: the first)"))
        parser.add_argument("--dry-run", action="store_true", help=_("report, write nothing"))
        parser.add_argument("--json", action="store_true", help=_("print the summary as JSON"))

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
        try:
            summary = import_legacy_file(
                content=content,
                filename=str(path),
                period=options["period"],
                sheet=options["sheet"],
                term=options["term"],
                dry_run=options["dry_run"],
            )
        except LegacyFileError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(format_summary(summary))


def format_summary(summary):
    lines = [
        _("%(file)s → period %(period)s (term %(term)s)%(dry)s")
        % {
            "file": summary.filename,
            "period": summary.period,
            "term": summary.term,
            "dry": _(" — dry run, nothing written") if summary.dry_run else "",
        },
        _(
            "rows read %(rows)s: %(created)s entries created, %(updated)s updated, "
            "%(unchanged)s unchanged, %(structural)s structural, %(anomalies)s anomalies, "
            "%(blank)s blank"
        )
        % {
            "rows": summary.rows_read,
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "structural": summary.structural,
            "anomalies": len(summary.anomalies),
            "blank": summary.blank,
        },
        _("read as %(how)s; header row on line %(line)s")
        % {"how": summary.read_as["description"], "line": summary.read_as["header_line"]},
    ]
    if summary.new_persons:
        lines.append(_("new responsible persons: %s") % ", ".join(summary.new_persons))
    for anomaly in summary.anomalies:
        lines.append(_("  anomaly, line %(line)s: %(message)s") % anomaly)
    for note in summary.notes:
        lines.append(_("  note, line %(line)s: %(message)s") % note)
    if not summary.changed:
        lines.append(_("Nothing changed: the database already holds everything in this file."))
    return "\n".join(lines)
