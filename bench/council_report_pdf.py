"""The council report's PDF of one period of 2,000 published entries, laid out by WeasyPrint.

Reads the database that bench/scale.py built (forty times Tuusula's size) and lays out the
latest published period's report in Finnish, as `manage.py build_council_reports` does,
timing each step apart:

- build: reading the published entries and rendering templates/public/report_pdf.html;
- layout: WeasyPrint's pagination of that HTML (HTML.render());
- writing: the laid-out pages as PDF bytes (Document.write_pdf()).

Nothing is written to the database.

    .venv/bin/python bench/scale.py --create            # once: the data
    .venv/bin/python bench/council_report_pdf.py
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale import ANY_NAME_HELP, bench_database_url  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--language", default="fi", help="fi (default), sv or en")
    parser.add_argument("--any-name", action="store_true", help=ANY_NAME_HELP)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = bench_database_url(any_name=args.any_name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seuranta.settings")
    import django

    django.setup()
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML

    from reports import council_report
    from reports.models import ReportingPeriod, SiteIdentity

    period = ReportingPeriod.objects.published().order_by("-end_date").first()
    if period is None:
        sys.exit("no published period: run bench/scale.py --create first")

    start = time.perf_counter()
    report = council_report.build(period)
    with translation.override(args.language):
        html = render_to_string(
            "public/report_pdf.html",
            {
                "report": report,
                "period": period,
                "municipality": SiteIdentity.current().name_in(args.language),
                "LANGUAGE_CODE": args.language,
            },
        )
    built = time.perf_counter()
    document = HTML(string=html, url_fetcher=council_report._fetch_nothing).render()
    laid_out = time.perf_counter()
    pdf = document.write_pdf()
    written = time.perf_counter()

    print(
        f"\n{period.label}: {report.total} published entries, {len(document.pages)} pages, "
        f"{len(pdf) / 1024:.0f} KB, load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs at the end\n"
    )
    print("| step | time |")
    print("|---|---:|")
    print(f"| build (entries + template) | {built - start:.1f} s |")
    print(f"| layout (WeasyPrint render) | {laid_out - built:.1f} s |")
    print(f"| writing the PDF | {written - laid_out:.1f} s |")
    print(f"| in all | {written - start:.1f} s |")


if __name__ == "__main__":
    main()
