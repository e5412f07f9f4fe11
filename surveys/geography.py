"""Country → UN M49 region, sub-region, intermediate region and Global North/South.

The table lives in ``surveys/data/country_regions.csv``. It is transcribed from the UN Statistics
Division's "Standard country or area codes for statistical use (M49)"
(https://unstats.un.org/unsd/methodology/m49/) via the lukes/ISO-3166-Countries-with-Regional-Codes
compilation (CC BY-SA 4.0). North/South follows the M49 "Developed regions" grouping as UNSD
published it until 2021. The comment lines at the top of the CSV give the full source.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    import pandas

DATA_FILE = Path(__file__).resolve().parent / "data" / "country_regions.csv"

NORTH = "north"
SOUTH = "south"
NORTH_SOUTH_CHOICES = [(NORTH, _("Global North")), (SOUTH, _("Global South"))]
NORTH_SOUTH_LABELS = dict(NORTH_SOUTH_CHOICES)

TABLE_COLUMNS = ["iso2", "region", "subregion", "intermediate_region", "north_south"]


@dataclass(frozen=True)
class CountryGroups:
    """The groups one country belongs to; every field is "" when unknown."""

    region: str = ""
    subregion: str = ""
    intermediate_region: str = ""
    north_south: str = ""  # NORTH, SOUTH or ""


UNKNOWN = CountryGroups()


@cache
def _rows() -> tuple[dict[str, str], ...]:
    """The CSV rows (comment lines starting with ``#`` skipped), read once."""
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return tuple(csv.DictReader(lines))


@cache
def _groups_by_code() -> dict[str, CountryGroups]:
    return {
        row["iso2"]: CountryGroups(
            region=row["region"],
            subregion=row["subregion"],
            intermediate_region=row["intermediate_region"],
            north_south=row["north_south"],
        )
        for row in _rows()
    }


def country_groups(country_code: str | None) -> CountryGroups:
    """Groups for an ISO 3166-1 alpha-2 code (any case); unknown or empty codes give all ""."""
    return _groups_by_code().get((country_code or "").strip().upper(), UNKNOWN)


def country_group_table() -> pandas.DataFrame:
    """One row per country with columns ``TABLE_COLUMNS``, for vectorised joins in analysis."""
    import pandas

    return pandas.DataFrame([{column: row[column] for column in TABLE_COLUMNS} for row in _rows()])
