"""The country → M49 region / Global North-South table (no database needed)."""

import pytest
from django_countries import countries

from surveys.geography import (
    DATA_FILE,
    NORTH,
    NORTH_SOUTH_LABELS,
    SOUTH,
    CountryGroups,
    country_group_table,
    country_groups,
)


def test_every_django_countries_code_has_a_row():
    table_codes = set(country_group_table()["iso2"])
    missing = {country.code for country in countries} - table_codes
    assert not missing


def test_every_country_except_antarctica_has_a_region_and_a_north_south_side():
    table = country_group_table().set_index("iso2")
    no_region = set(table.index[table["region"] == ""])
    assert no_region == {"AQ"}
    assert set(table.drop(index="AQ")["north_south"]) == {NORTH, SOUTH}


def test_brazil_is_latin_america_and_global_south():
    assert country_groups("BR") == CountryGroups(
        "Americas", "Latin America and the Caribbean", "South America", SOUTH
    )


def test_china_is_eastern_asia_and_global_south():
    assert country_groups("CN") == CountryGroups("Asia", "Eastern Asia", "", SOUTH)


def test_germany_is_western_europe_and_global_north():
    assert country_groups("DE") == CountryGroups("Europe", "Western Europe", "", NORTH)


def test_kenya_is_eastern_sub_saharan_africa_and_global_south():
    assert country_groups("KE") == CountryGroups("Africa", "Sub-Saharan Africa", "Eastern Africa", SOUTH)


def test_united_states_is_northern_america_and_global_north():
    assert country_groups("US") == CountryGroups("Americas", "Northern America", "", NORTH)


def test_russia_is_eastern_europe_and_global_north():
    assert country_groups("RU") == CountryGroups("Europe", "Eastern Europe", "", NORTH)


@pytest.mark.parametrize("code", ["JP", "IL", "AU", "NZ"])
def test_developed_countries_outside_europe_and_northern_america_are_global_north(code):
    assert country_groups(code).north_south == NORTH


def test_south_korea_is_global_south_under_the_m49_developed_regions_rule():
    assert country_groups("KR").north_south == SOUTH


def test_antarctica_has_no_region_and_no_north_south_side():
    assert country_groups("AQ") == CountryGroups()


def test_kosovo_is_grouped_like_serbia():
    assert country_groups("XK") == country_groups("RS")


@pytest.mark.parametrize("code", ["", None, "ZZ", "not a country"])
def test_unknown_or_empty_code_gives_empty_groups(code):
    assert country_groups(code) == CountryGroups("", "", "", "")


def test_lower_case_code_is_accepted():
    assert country_groups("br") == country_groups("BR")


def test_table_has_exactly_the_five_m49_regions():
    regions = set(country_group_table()["region"]) - {""}
    assert regions == {"Africa", "Americas", "Asia", "Europe", "Oceania"}


def test_table_has_the_columns_analysis_joins_on():
    assert list(country_group_table().columns) == [
        "iso2",
        "region",
        "subregion",
        "intermediate_region",
        "north_south",
    ]


def test_north_south_labels_read_global_north_and_global_south():
    assert str(NORTH_SOUTH_LABELS[NORTH]) == "Global North"
    assert str(NORTH_SOUTH_LABELS[SOUTH]) == "Global South"


def test_data_file_header_names_its_source_and_licence():
    header = "".join(
        line for line in DATA_FILE.read_text(encoding="utf-8").splitlines(True) if line[0] == "#"
    )
    assert "United Nations Statistics Division" in header
    assert "Standard country or area codes for statistical use (M49)" in header
    assert "https://unstats.un.org/unsd/methodology/m49/" in header
    assert "lukes/ISO-3166-Countries-with-Regional-Codes" in header
    assert "CC BY-SA 4.0" in header
    assert "Developed regions" in header and "2021" in header
