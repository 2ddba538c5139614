"""The public figures as open data: every approved aggregate of the public indicators, built
from the very tables the public dashboard shows (`selectors.open_data_rows`), so small counts
are suppressed exactly as on the pages."""

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.suppression import SECONDARY_MARKER, primary_marker, threshold_setting

from . import selectors

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
FIELDS = (
    "indicator",
    "year",
    "breakdown",
    "sector",
    "area",
    "value",
    "number",
    "unit",
    "suppressed",
)


def _number(cell):
    if cell.number is None:
        return None
    return int(cell.number) if float(cell.number).is_integer() else cell.number


def rows():
    """One dict per shown figure: indicator code, year (or "2022-2024" for a total over the
    years), breakdown (sector, municipality, area or total), sector, area or municipality, the
    value as shown ("<5" and "x" included, numbers written as in the page's language), the
    value as a number (None where it is hidden), the unit and whether it is hidden."""
    hidden = (primary_marker(), SECONDARY_MARKER)
    for indicator, table in selectors.open_data_tables():
        first, last = table.columns[0], table.columns[-1]
        period = str(first) if first == last else f"{first}-{last}"
        for key, label, column, cell in table.keyed_rows():
            text = cell.text
            total_line = key is None
            if table.dimension == "sector":
                breakdown = "total" if total_line else "sector"
                sector, area = ("" if total_line else key), ""
            elif table.dimension == "municipality":
                breakdown = "total" if total_line else "municipality"
                sector, area = "", ("" if total_line else str(label))
            else:
                # A region's total line is the region itself (computed from its parts).
                breakdown, sector, area = "area", table.sector, str(label)
            yield {
                "indicator": indicator.code,
                "year": str(column) if isinstance(column, int) else period,
                "breakdown": breakdown,
                "sector": sector,
                "area": area,
                "value": text,
                "number": _number(cell) if text not in hidden else None,
                "unit": indicator.unit,
                "suppressed": text in hidden,
            }


def metadata():
    threshold = threshold_setting()
    return {
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "publisher": "Onderwijsregio Haaglanden",
        "suppression": _(
            "Counts of persons below %(threshold)s are shown as “%(primary)s”; a value that "
            "would let a hidden count be worked out from a total is shown as “%(secondary)s”."
        )
        % {"threshold": threshold, "primary": primary_marker(), "secondary": SECONDARY_MARKER},
        "suppression_threshold": threshold,
        "status": "approved",
    }


def indicator_definitions():
    return [
        {
            "code": indicator.code,
            "name": indicator.name,
            "unit": indicator.unit,
            "sector": indicator.sector,
            "aggregation": indicator.aggregation,
            "decimals": indicator.decimals,
            "counts_persons": indicator.counts_persons,
            "description": indicator.description,
            "source": indicator.source,
        }
        for indicator in selectors.indicators(public=True)
    ]
