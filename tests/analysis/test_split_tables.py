"""A summary's tables of many questions, split per question only when read."""

import pandas
import pytest
from django.core.cache import cache

from analysis.split_tables import AnchoredTables, ByQuestion, ItemBreakdowns

BY_SECTOR = pandas.DataFrame(
    {
        "question": pandas.Categorical(["b", "a", "b", "a", "b"]),
        "sector": ["industry", "academia", "academia", "industry", "government"],
        "n": [5, 6, 7, 8, 9],
    }
)
BY_MODE = pandas.DataFrame({"question": ["a", "b"], "mode": ["online", "interview"], "n": [14, 21]})


def breakdowns(code: str) -> ItemBreakdowns:
    tables = {"sector": ByQuestion(BY_SECTOR), "mode": ByQuestion(BY_MODE)}
    return ItemBreakdowns(code, ["sector", "mode"], tables)


def test_a_question_gets_its_rows_in_their_order_numbered_from_zero():
    table = ByQuestion(BY_SECTOR).of("b")
    assert table["sector"].tolist() == ["industry", "academia", "government"]
    assert table["n"].tolist() == [5, 7, 9]
    assert table.index.tolist() == [0, 1, 2]


def test_a_question_without_rows_gets_an_empty_table_with_the_columns():
    table = ByQuestion(BY_SECTOR).of("c")
    assert table.empty
    assert list(table.columns) == list(BY_SECTOR.columns)


def test_an_item_s_breakdowns_read_like_a_dictionary_in_their_order():
    item = breakdowns("a")
    assert list(item) == ["sector", "mode"] and len(item) == 2
    assert "mode" in item and "country" not in item
    assert item.get("country") is None
    assert item["mode"].to_dict("list") == {"question": ["a"], "mode": ["online"], "n": [14]}
    assert [table["n"].tolist() for table in item.values()] == [[6, 8], [14]]
    with pytest.raises(KeyError):
        item["country"]


def test_a_table_is_split_out_once_and_the_same_table_comes_back():
    item = breakdowns("b")
    assert item["sector"] is item["sector"]


def stored(value):
    """``value`` after a round trip through the cache (pickled, as every cache backend does)."""
    cache.set("split-tables-test", value)
    return cache.get("split-tables-test")


def test_a_cached_item_gives_the_same_tables_and_stores_nothing_it_split_out():
    item = breakdowns("b")
    before = {name: table.copy() for name, table in item.items()}
    copy = stored(item)
    assert copy._read == {} and copy.tables["sector"]._rows is None
    for name, table in before.items():
        pandas.testing.assert_frame_equal(copy[name], table)


def test_anchored_tables_keep_the_order_they_were_added_in_and_read_breakdowns_when_asked():
    tables = AnchoredTables()
    item = breakdowns("a")
    tables.add("item-a", BY_MODE)
    tables.add_breakdown("item-a-by-sector", item, "sector")
    tables.add("consensus", BY_SECTOR)
    assert list(tables) == ["item-a", "item-a-by-sector", "consensus"]
    assert item._read == {}
    assert tables["item-a-by-sector"] is item["sector"]
    assert tables["consensus"] is BY_SECTOR
    copy = stored(tables)
    pandas.testing.assert_frame_equal(copy["item-a-by-sector"], item["sector"])
