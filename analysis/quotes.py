"""Candidate quotes from interview answers, attributed only as each expert agreed at consent.

Who a quote is attributed to (``quote_attribution``), given ``k`` (the survey's smallest group
size) and the response's snapshot of the expert's groups:

1. *Not for quotation* (or no choice recorded): never quoted. ``quote_mark`` refuses such
   passages (``QuoteRefused``); they can still be coded.
2. An expert who has since been erased: never quoted (None). Erasure turns the responses it
   keeps into *not for quotation* (``surveys.services.expert_erase``); the check here also holds
   for a response that somehow kept its old choice.
3. *Named*: "Name, Organisation" from the panel record (just the name without an organisation).
   This is the only place a researcher sees a name, because the expert agreed to it.
4. *Anonymous*, counting the **submitted** responses to the same survey (the expert included):

   a. "an expert from <sector>, <country>" when at least ``k`` share the sector and country;
   b. else "an expert from <sector>, <UN region>" when at least ``k`` share sector and UN region;
   c. else "an expert from <UN region>" when at least ``k`` share the UN region;
   d. else no attribution (None): the quote is not shown in reports at all.

   A rung whose groups are unknown ("" in the snapshot) is skipped. Sector labels, country and
   region names are in the active language.
"""

from collections import Counter
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from surveys.models import Answer, Response, Sector, Survey

from .coding import codable_check, mark_at, passage_check, passage_span
from .models import Quote

# The UN M49 regions (surveys/data/country_regions.csv), named in the interface language.
UN_REGION_LABELS = {
    "Africa": gettext_lazy("Africa"),
    "Americas": gettext_lazy("Americas"),
    "Asia": gettext_lazy("Asia"),
    "Europe": gettext_lazy("Europe"),
    "Oceania": gettext_lazy("Oceania"),
}
QUOTABLE = (Response.Attribution.NAMED, Response.Attribution.ANONYMOUS)


class QuoteRefused(Exception):
    """The expert did not agree to be quoted; the message says so."""


class ReportQuote(NamedTuple):
    text: str
    translation: str
    attribution: str


def region_label(region: str) -> str:
    """A UN region's name in the active language ("" for unknown)."""
    return str(UN_REGION_LABELS.get(region, region))


def sector_label(sector: str) -> str:
    return str(Sector(sector).label) if sector in Sector.values else sector


def quote_mark(
    *,
    answer: Answer,
    start: int,
    end: int,
    user: AbstractBaseUser,
    translation: str = "",
    translation_language: str = "",
) -> Quote:
    """Propose ``answer.text[start:end]`` as a quote, with an optional translation (into
    ``translation_language``, required with a translation). Marking the same passage again updates
    its translation. Raises ``QuoteRefused`` when the expert chose not to be quoted, and
    ``ValidationError`` for a passage outside the answer or a translation without a known language.
    """
    if answer.response.attribution not in QUOTABLE:
        raise QuoteRefused(
            _("This expert chose not to be quoted. The passage can be coded, but never quoted.")
        )
    codable_check(answer=answer)
    passage_check(answer=answer, start=start, end=end)
    translation = translation.strip()
    languages = [code for code, _name in settings.LANGUAGES]
    if translation and translation_language not in languages:
        raise ValidationError({"translation_language": _("Say which language the translation is in.")})
    translation_language = translation_language if translation else ""
    passage = answer.text[start:end]
    with transaction.atomic():
        marked = Quote.objects.select_for_update().filter(answer=answer).order_by("pk")
        quote = mark_at(text=answer.text, marks=marked, start=start, end=end)
        if quote is None:
            return Quote.objects.create(
                answer=answer,
                start=start,
                end=end,
                passage=passage,
                marked_by=user,
                translation=translation,
                translation_language=translation_language,
            )
        quote.passage = passage
        quote.translation, quote.translation_language = translation, translation_language
        quote.save(update_fields=["start", "end", "passage", "translation", "translation_language"])
    return quote


def quote_unmark(*, quote: Quote) -> None:
    """Withdraw a proposed quote."""
    quote.delete()


def _peer_counts(survey: Survey | int) -> Counter:
    """Submitted responses to ``survey`` per group of each rung of the ladder, keyed by
    ("country", sector, country), ("sector_region", sector, region) and ("region", region). One
    query."""
    counts: Counter = Counter()
    rows = (
        Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
        .values_list("sector", "country", "un_region")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for sector, country, region, n in rows:
        counts["country", sector, country] += n
        counts["sector_region", sector, region] += n
        counts["region", region] += n
    return counts


def _attribution(response: Response, counts: Counter, k: int) -> str | None:
    """The ladder of the module docstring for one response."""
    if response.attribution not in QUOTABLE:
        return None
    expert = response.invitation.expert
    if expert.erased_at is not None:
        return None
    if response.attribution == Response.Attribution.NAMED:
        return ", ".join(part for part in (expert.name, expert.organisation) if part)
    sector, country, region = response.sector, str(response.country or ""), response.un_region
    if sector and country and counts["country", sector, country] >= k:
        return _("an expert from %(sector)s, %(country)s") % {
            "sector": sector_label(sector),
            "country": countries.name(country) or country,
        }
    if sector and region and counts["sector_region", sector, region] >= k:
        return _("an expert from %(sector)s, %(region)s") % {
            "sector": sector_label(sector),
            "region": region_label(region),
        }
    if region and counts["region", region] >= k:
        return _("an expert from %(region)s") % {"region": region_label(region)}
    return None


def quote_attribution(*, quote: Quote, k: int) -> str | None:
    """How ``quote`` may be attributed (the ladder of the module docstring), or None when it may
    not be shown."""
    response = Response.objects.select_related("invitation__expert").get(pk=quote.answer.response_id)
    return _attribution(response, _peer_counts(response.survey_id), k)


def quotes_for_report(*, survey: Survey, k: int) -> list[ReportQuote]:
    """The quotes of ``survey``'s submitted answers that may be shown, in questionnaire order:
    (text, translation or "", attribution). Quotes that cannot be attributed, and quotes whose
    passage the expert's later edit removed, are left out. Two queries."""
    counts = _peer_counts(survey)
    quotes = (
        Quote.objects.filter(
            answer__response__survey=survey, answer__response__status=Response.Status.SUBMITTED
        )
        .select_related("answer__response__invitation__expert")
        .order_by(
            "answer__question__section__position",
            "answer__question__position",
            "answer__response_id",
            "start",
            "pk",
        )
    )
    report = []
    for quote in quotes:
        attribution = _attribution(quote.answer.response, counts, k)
        # A quote whose words the expert has since removed from the answer is never shown.
        span = passage_span(text=quote.answer.text, start=quote.start, end=quote.end, passage=quote.passage)
        if attribution is not None and span is not None:
            report.append(ReportQuote(quote.answer.text[slice(*span)], quote.translation, attribution))
    return report
