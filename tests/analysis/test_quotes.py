"""Quotes: attributed exactly as each expert agreed, widened or withheld to protect small groups."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from analysis.coding import segment_code
from analysis.models import Quote
from analysis.quotes import QuoteRefused, quote_attribution, quote_mark, quotes_for_report
from surveys import services
from surveys.conditions import AnswerValue
from surveys.models import Expert, Response, Sector
from tests.analysis.test_load import take_part
from tests.factories import ExpertFactory, QuestionFactory, SectionFactory, SurveyFactory

K = 3
TEXT = "Compute is scarce. Skills are scarcer."


@pytest.fixture
def survey(db):
    survey = SurveyFactory(min_group_size=K, keep_anonymised_answers=True)
    QuestionFactory(section=SectionFactory(survey=survey, position=1), code="why", type="long_text")
    return survey


@pytest.fixture
def researcher(db):
    return get_user_model().objects.create_user(username="researcher")


def respond(
    survey, *, attribution="anonymous", country="BR", sector=Sector.ACADEMIA, text=TEXT, submit=True, **expert
):
    response = take_part(
        survey,
        {"why": AnswerValue(text=text)},
        expert=ExpertFactory(country=country, sector=sector, **expert),
        submit=submit,
    )
    services.response_give_consent(response=response, attribution=attribution)
    return response


def quote_of(response, researcher, **kwargs) -> Quote:
    answer = response.answers.select_related("question", "response").get()
    return quote_mark(answer=answer, start=0, end=18, user=researcher, **kwargs)


def peers(survey, count, **groups):
    for _ in range(count):
        respond(survey, attribution="not_for_quotation", **groups)


# Named ------------------------------------------------------------------------------------------


def test_a_named_expert_is_quoted_with_name_and_organisation(survey, researcher):
    response = respond(survey, attribution="named", name="Ana Lima", organisation="Fiocruz")
    quote = quote_of(response, researcher)
    assert quote.answer.text[quote.start : quote.end] == "Compute is scarce."
    assert quote_attribution(quote=quote, k=K) == "Ana Lima, Fiocruz"


def test_a_named_expert_without_organisation_is_quoted_with_the_name_alone(survey, researcher):
    response = respond(survey, attribution="named", name="Ana Lima", organisation="")
    assert quote_attribution(quote=quote_of(response, researcher), k=K) == "Ana Lima"


# Anonymous: the ladder --------------------------------------------------------------------------


def test_an_anonymous_expert_with_enough_peers_is_an_expert_from_sector_and_country(survey, researcher):
    response = respond(survey, country="BR", sector=Sector.ACADEMIA, name="Ana Lima")
    peers(survey, K - 1, country="BR", sector=Sector.ACADEMIA)
    attribution = quote_attribution(quote=quote_of(response, researcher), k=K)
    assert attribution == "an expert from Academia, Brazil"


def test_too_few_peers_in_the_country_widens_to_sector_and_region(survey, researcher):
    response = respond(survey, country="BR", sector=Sector.ACADEMIA)
    peers(survey, K - 2, country="BR", sector=Sector.ACADEMIA)
    peers(survey, 1, country="AR", sector=Sector.ACADEMIA)
    assert quote_attribution(quote=quote_of(response, researcher), k=K) == "an expert from Academia, Americas"


def test_too_few_in_sector_and_region_drops_to_the_region_alone(survey, researcher):
    response = respond(survey, country="BR", sector=Sector.ACADEMIA)
    peers(survey, K - 2, country="BR", sector=Sector.ACADEMIA)
    peers(survey, 1, country="US", sector=Sector.INDUSTRY)
    assert quote_attribution(quote=quote_of(response, researcher), k=K) == "an expert from Americas"


def test_too_few_even_in_the_region_is_never_shown(survey, researcher):
    response = respond(survey, country="BR", sector=Sector.ACADEMIA)
    peers(survey, K, country="KE", sector=Sector.ACADEMIA)
    quote = quote_of(response, researcher)
    assert quote_attribution(quote=quote, k=K) is None
    assert quotes_for_report(survey=survey, k=K) == []


def test_drafts_do_not_count_as_peers(survey, researcher):
    response = respond(survey, country="BR", sector=Sector.ACADEMIA)
    for _ in range(K):
        respond(survey, country="BR", sector=Sector.ACADEMIA, submit=False)
    assert quote_attribution(quote=quote_of(response, researcher), k=K) is None


def test_the_attribution_speaks_the_active_language(survey, researcher):
    response = respond(survey, country="BR", sector=Sector.ACADEMIA)
    peers(survey, K - 1, country="BR", sector=Sector.ACADEMIA)
    quote = quote_of(response, researcher)
    with translation.override("zh-hans"):
        attribution = quote_attribution(quote=quote, k=K)
    assert "巴西" in attribution and "学术界" in attribution and "Brazil" not in attribution


# Never quoted -----------------------------------------------------------------------------------


def test_a_not_for_quotation_passage_is_refused_but_can_be_coded(survey, researcher):
    response = respond(survey, attribution="not_for_quotation")
    with pytest.raises(QuoteRefused, match="chose not to be quoted"):
        quote_of(response, researcher)
    assert not Quote.objects.exists()
    answer = response.answers.select_related("question", "response__survey").get()
    assert segment_code(answer=answer, coder=researcher, start=0, end=18, themes=[]).pk


def test_an_expert_who_withdraws_consent_to_quotation_drops_out_of_the_report(survey, researcher):
    response = respond(survey, attribution="named", name="Ana Lima")
    quote = quote_of(response, researcher)
    services.response_give_consent(response=response, attribution="not_for_quotation")
    assert quote_attribution(quote=quote, k=K) is None
    assert quotes_for_report(survey=survey, k=K) == []


def test_an_erased_expert_is_never_named(survey, researcher):
    response = respond(survey, attribution="named", name="Ana Lima", organisation="Fiocruz")
    peers(survey, K, country="BR", sector=Sector.ACADEMIA)
    quote = quote_of(response, researcher)
    services.expert_erase(expert=response.invitation.expert)
    assert quote_attribution(quote=quote, k=K) is None
    assert quotes_for_report(survey=survey, k=K) == []


def test_an_erased_expert_is_never_named_even_if_the_choice_was_kept(survey, researcher):
    response = respond(survey, attribution="named", name="Ana Lima")
    quote = quote_of(response, researcher)
    Expert.objects.filter(pk=response.invitation.expert_id).update(erased_at=timezone.now())
    assert quote_attribution(quote=quote, k=K) is None


# Marking ----------------------------------------------------------------------------------------


def test_a_quote_must_lie_within_the_answer(survey, researcher):
    answer = respond(survey).answers.select_related("question", "response").get()
    with pytest.raises(ValidationError, match="not within the answer"):
        quote_mark(answer=answer, start=10, end=len(TEXT) + 1, user=researcher)


def test_marking_the_same_passage_again_updates_its_translation(survey, researcher):
    response = respond(survey)
    quote_of(response, researcher)
    again = quote_of(response, researcher, translation="算力稀缺。", translation_language="zh-hans")
    assert Quote.objects.count() == 1
    assert (again.translation, again.translation_language) == ("算力稀缺。", "zh-hans")


def test_a_translation_says_its_language(survey, researcher):
    with pytest.raises(ValidationError, match="language"):
        quote_of(respond(survey), researcher, translation="Compute is scarce.")


# The report -------------------------------------------------------------------------------------


def test_a_chinese_quote_comes_with_the_researchers_translation(survey, researcher):
    response = respond(
        survey, country="CN", text="算力严重不足。人才也缺乏。", attribution="named", name="王芳"
    )
    answer = response.answers.select_related("question", "response").get()
    quote_mark(
        answer=answer,
        start=0,
        end=7,
        user=researcher,
        translation="Compute is severely lacking.",
        translation_language="en",
    )
    assert quotes_for_report(survey=survey, k=K) == [
        ("算力严重不足。", "Compute is severely lacking.", "王芳, Example University")
    ]


def test_the_report_leaves_out_quotes_that_cannot_be_attributed(survey, researcher):
    named = respond(survey, attribution="named", name="Ana Lima", organisation="Fiocruz")
    lonely = respond(survey, country="NZ", sector=Sector.GOVERNMENT)
    quote_of(named, researcher)
    quote_of(lonely, researcher)
    report = quotes_for_report(survey=survey, k=K)
    assert [(quote.text, quote.translation, quote.attribution) for quote in report] == [
        ("Compute is scarce.", "", "Ana Lima, Fiocruz")
    ]


def test_the_report_is_read_in_a_fixed_number_of_queries(survey, researcher, django_assert_num_queries):
    for number in range(6):
        quote_of(respond(survey, attribution="named" if number % 2 else "anonymous"), researcher)
    with django_assert_num_queries(2):
        report = quotes_for_report(survey=survey, k=K)
    assert len(report) == 6
    assert Response.objects.filter(survey=survey).count() == 6
