"""The Simplified Chinese catalog is complete and the interface speaks it."""

import re
from pathlib import Path

import pytest
from django.utils import translation

CATALOG = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries() -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstr values, fuzzy) for every message of the catalog, the header left out."""
    parsed = []
    for block in CATALOG.read_text(encoding="utf-8").split("\n\n"):
        strings: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if match := re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line):
                key = match.group(1)
                strings[key] = match.group(2)
            elif key and line.startswith('"'):
                strings[key] += line[1:-1]
        if strings.get("msgid"):
            translated = [value for name, value in strings.items() if name.startswith("msgstr")]
            parsed.append((strings["msgid"], translated, "#, fuzzy" in block))
    return parsed


def test_every_message_is_translated_and_none_is_fuzzy():
    messages = entries()
    assert len(messages) > 300
    assert [msgid for msgid, translated, fuzzy in messages if fuzzy or not all(translated)] == []


def test_the_compiled_catalog_is_shipped_beside_the_source():
    compiled = CATALOG.with_suffix(".mo")
    assert compiled.exists() and compiled.stat().st_mtime >= CATALOG.stat().st_mtime - 1


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Please answer this question.", "请回答此问题。"),
        ("Save and continue", "保存并继续"),
        ("Strongly agree", "非常同意"),
    ],
)
def test_interface_strings_in_chinese(english, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(english) == chinese


def test_the_consent_page_has_no_english_interface_text_in_chinese(client, db):
    from tests.factories import ExpertFactory, SurveyFactory, invite

    _invitation, token = invite(SurveyFactory(), ExpertFactory(preferred_language="zh-hans"))
    client.get(f"/r/{token}/")
    page = client.get(f"/r/{token}/consent/").content.decode()
    for english in ["Welcome", "Information and consent", "How may we quote you?", "Start the questionnaire"]:
        assert english not in page
