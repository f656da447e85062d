"""Legacy exports of any size for the benchmarks, built from the real file's texts.

No Django here: the benchmark scripts set up their databases before importing Django.
"""

from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "demo" / "legacy" / "000_a8e44899ba0fbea9.txt"


def export_lines(rows, *, goals=20, annual_per_goal, actions_per_annual):
    """A flat tab-separated export of `rows` data rows: its header line, and its lines
    after the header with a blank one after every ten. Each annual goal has a row of its
    own and `actions_per_annual` actions; texts, risks and levels come from the real file."""
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    header, samples = lines[2], [line.split("\t") for line in lines[3:] if line.strip()]
    out = []
    count = 0
    for goal in range(1, goals + 1):
        for annual in range(1, annual_per_goal + 1):
            for action in range(0, actions_per_annual + 1):
                sample = samples[count % len(samples)]
                code = f"{goal:02}.{annual:02}" + (f".{action:02}" if action else "")
                cells = [
                    f"{goal:02}. Valtuustokauden tavoite {goal}",
                    f"{goal:02}.{annual:02} Vuositavoite {goal}.{annual}",
                    f"{code} Toimenpide {code}" if action else "",
                    sample[3],
                    "",
                    sample[5],
                    sample[6],
                ]
                out.append("\t".join(cells))
                count += 1
                if count % 10 == 0:
                    out.append("")
                if count >= rows:
                    return header, out
    raise ValueError(f"this shape holds at most {count} rows")
