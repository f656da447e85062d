"""Finnish is the default language, for officials in the admin and for the import command."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tests.builders import use_language

pytestmark = pytest.mark.django_db


@pytest.fixture
def finnish(settings):
    with use_language(settings, "fi"):
        yield


def test_it_shows_the_admin_in_finnish(client, finnish):
    user = get_user_model().objects.create_superuser("virkailija", password="x-long-password")
    client.force_login(user)

    content = client.get("/admin/").content.decode()

    assert "Tuontipoikkeamat" in content
    assert "Etenemismerkinnät" in content
    assert 'lang="fi"' in content


def test_it_explains_a_bad_file_in_finnish(tmp_path, finnish):
    path = tmp_path / "tyhja.txt"
    path.write_bytes(b"")

    with pytest.raises(CommandError, match="tyhja.txt: tiedosto on tyhjä"):
        call_command(
            "import_legacy",
            str(path),
            "--period",
            "1-8/2022",
            "--term",
            "2021-2025",
            stdout=io.StringIO(),
        )


def test_it_labels_progress_levels_in_finnish(finnish):
    from reports.models import ProgressEntry

    assert ProgressEntry.Level(3).label.startswith("3 – Toteutus on aloitettu")
