"""What an anomalous row's cells say, for an official placing it by hand."""

from goals.models import ResponsiblePerson, normalize_title

from .errors import LegacyFileError
from .reader import read_table
from .rows import parse_code, parse_level, parse_overall_status


def anomaly_initial(anomaly):
    """Initial form values read from the anomaly's cells through its file's header row."""
    batch = anomaly.batch
    try:
        table = read_table(bytes(batch.content), batch.filename)
    except LegacyFileError:
        return {}
    cells = anomaly.cells

    def cell(role):
        index = table.columns.get(role)
        return cells[index] if index is not None and index < len(cells) else ""

    codes = [parse_code(cell(role)) for role in ("goal", "annual_goal", "action")]
    title = normalize_title(cell("responsible"))
    return {
        "level": parse_level(cell("level")),
        "status_text": cell("status_text"),
        "risks": cell("risks"),
        "overall_status": parse_overall_status(cell("overall_status")),
        "responsible": ResponsiblePerson.objects.by_title().get(title) if title else None,
        "code": max((code for code in codes if code), key=lambda c: c.depth, default=None),
    }
