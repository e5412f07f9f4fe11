"""Questionnaire texts in several languages.

Every translatable piece of questionnaire content is a ``{language code: text}`` dictionary.
``localized`` picks the requested language, then the same base language ("zh" for "zh-hans"),
then the survey's default language, then any text at all, so an expert never sees a blank label.
"""

from django.utils.translation import get_language


def localized(texts: dict | str | None, language: str | None, fallback: str) -> str:
    """Return the text for ``language`` (default: the active language) with fallback."""
    if not texts:
        return ""
    if isinstance(texts, str):
        return texts
    language = (language or get_language() or fallback).lower()
    if texts.get(language):
        return texts[language]
    base = language.split("-")[0]
    for code, text in texts.items():
        if text and code.lower().split("-")[0] == base:
            return text
    if texts.get(fallback):
        return texts[fallback]
    return next((text for text in texts.values() if text), "")
