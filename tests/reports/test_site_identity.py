"""Whose site it is: the municipality's name, logo, colour and contact, set by an official
in the admin, with defaults from settings until then."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.models import SiteIdentity, contrast_with_white
from tests.builders import official

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/reports/siteidentity/add/"


def png(width=1, height=1):
    """A real PNG image, as a municipality's logo file is."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x00\x43\x7a" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def form_data(**changes):
    return {
        "name": "Tuusula",
        "name_sv": "Tusby",
        "name_en": "",
        "colour": "#00437a",
        "logo_text": "Tuusulan kunta",
        "email": "kirjaamo@tuusula.fi",
        "phone": "",
        "address": "Hyrylänkatu 14, 04300 Tuusula",
        "website": "https://www.tuusula.fi",
        **changes,
    }


@pytest.fixture
def admin_client(client):
    client.force_login(official())
    return client


def test_it_uses_the_defaults_from_settings_until_an_official_saves_it(settings):
    settings.MUNICIPALITY_NAME = "Järvenpää"
    settings.SITE_COLOUR = "#123456"

    identity = SiteIdentity.current()

    assert (identity.pk, identity.name, identity.colour) == (None, "Järvenpää", "#123456")


def test_an_official_sets_the_logo_and_colour_and_residents_get_them_at_once(admin_client):
    assert admin_client.get("/logo").status_code == 404  # no logo yet

    response = admin_client.post(
        ADD_URL,
        form_data(colour="#1a5226", logo_file=SimpleUploadedFile("logo.png", png(3, 2))),
    )

    assert response.status_code == 302
    logo = admin_client.get("/logo")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert logo.content == png(3, 2)
    assert admin_client.get("/identity.css").content.decode() == ":root { --brand: #1a5226; }\n"
    # One record: the list leads to it, and no second can be added.
    identity = SiteIdentity.objects.get()
    assert admin_client.get("/admin/reports/siteidentity/")["Location"].endswith(
        f"/admin/reports/siteidentity/{identity.pk}/change/"
    )
    assert admin_client.get(ADD_URL).status_code == 403


def test_pages_read_the_identity_without_the_logos_bytes_and_the_admin_not_at_all(
    admin_client,
):
    """Every public page shows the name and contact details; none needs the logo's up to
    200 KB, which only /logo serves. The admin shows none of it."""
    admin_client.post(
        ADD_URL, form_data(logo_file=SimpleUploadedFile("logo.png", png(40, 40) + b"\0" * 150_000))
    )

    with CaptureQueriesContext(connection) as public:
        page = admin_client.get("/fi/about/")
    with CaptureQueriesContext(connection) as admin:
        admin_client.get("/admin/")

    assert "kirjaamo@tuusula.fi" in page.content.decode()
    reads = [query["sql"] for query in public if "reports_siteidentity" in query["sql"]]
    assert len(reads) == 1 and '"logo"' not in reads[0].split("FROM")[0]
    # (The admin asks only whether a record exists, to offer "add" or not.)
    assert not [query for query in admin if '"reports_siteidentity"."name"' in query["sql"]]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("logo.svg", b"<svg onload='alert(1)'/>"), "must be a PNG or JPEG"),
        (SimpleUploadedFile("logo.png", png(400, 400) + b"\0" * 210_000), "larger than 200 KB"),
    ],
)
def test_it_refuses_a_logo_that_is_not_a_small_png_or_jpeg(admin_client, upload, message):
    response = admin_client.post(ADD_URL, form_data(logo_file=upload))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SiteIdentity.objects.exists()


def test_it_refuses_a_colour_white_text_cannot_be_read_on(admin_client):
    response = admin_client.post(ADD_URL, form_data(colour="#ffcc00"))

    assert response.status_code == 200
    assert "at least 4.5 is needed" in response.content.decode()
    assert not SiteIdentity.objects.exists()


def test_it_measures_contrast_as_wcag_does():
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)


def test_a_reporter_cannot_change_it(client, world):
    client.force_login(world.staff_a)

    assert client.post(ADD_URL, form_data()).status_code in (302, 403)
    assert not SiteIdentity.objects.exists()
