"""The expert's journey in a real browser: the demo survey from consent to thank-you, a validation
error, and the questionnaire in Chinese.

The journey reads the questions off each page (``[data-question]`` wrappers and their ``data-type``),
so it follows the demo questionnaire whatever its exact content.
"""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils.html import escape
from playwright.sync_api import Locator, Page, expect

from surveys.conditions import condition_holds
from surveys.models import Answer, Invitation, Response
from surveys.services import invitation_reissue
from tests.factories import ExpertFactory, every_type_survey, invite

# The live server needs real transactions; the flush after each test must not take the role
# groups and permissions that migrations created, so they are restored after it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
PHONE_SCREENSHOT = "/tmp/rt-phone.png"  # noqa: S108 (for a person to look at; never committed)
SHOWN_QUESTIONS = "[data-question]:not(.d-none)"
RADIO_TYPES = ("likert", "scale_0_10", "single_choice")
NUMERIC_TYPES = ("likert", "scale_0_10", "number")
CODE_LIST_TYPES = ("multiple_choice", "ranking")
TEXT_TYPES = ("short_text", "long_text")

# Answers as stored in ``Answer``: a float, a text or a list of codes.
AnswerValue = float | str | list[str]


# Moving through the pages ----------------------------------------------------------------------


def give_consent(page: Page, attribution: str) -> None:
    page.locator("input[name=consent]").check()
    page.locator(f"input[name=attribution][value={attribution}]").check()
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/section/\d+/$"))


def save_and_continue(page: Page) -> None:
    leaving = page.url
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url(lambda url: url != leaving)
    problems = page.locator(".invalid-feedback").all_inner_texts()
    assert not problems, f"The answers given on {leaving} were refused: {problems}"


def expect_fits_the_screen(page: Page) -> None:
    """Nothing wider than the window: no sideways scrolling on a phone."""
    page_width, screen_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert page_width <= screen_width, (
        f"{page.url} is {page_width} px wide on a {screen_width} px screen: it scrolls sideways."
    )


# Answering a page the way an expert would ------------------------------------------------------


def radio_value(kind: str, value: str) -> AnswerValue:
    return float(value) if kind in NUMERIC_TYPES else value


def answer_question(question: Locator) -> AnswerValue:
    """Answer one question through its inputs; returns the answer as ``Answer`` will store it."""
    code = question.get_attribute("data-question")
    kind = question.get_attribute("data-type")
    if kind in RADIO_TYPES:
        radios = question.locator("input[type=radio]")
        # The top of a Likert scale, 8 out of 10, the first of several choices (an "other" comes last).
        radio = {"likert": radios.last, "scale_0_10": radios.nth(8)}.get(kind, radios.first)
        radio.check()
        return radio_value(kind, radio.get_attribute("value"))
    if kind == "multiple_choice":
        exclusive = json.loads(question.get_attribute("data-exclusive") or "[]")
        boxes = question.locator("input[type=checkbox]").all()
        box = next(box for box in boxes if box.get_attribute("value") not in exclusive)
        box.check()
        return [box.get_attribute("value")]
    if kind == "ranking":
        ranked = []
        for rank, select in enumerate(question.locator("select").all()):
            items = [
                code for code in select.locator("option").evaluate_all("os => os.map(o => o.value)") if code
            ]
            select.select_option(items[rank])
            ranked.append(items[rank])
        return ranked
    if kind == "number":
        field = question.locator("input[type=number]")
        low = float(field.get_attribute("min") or 0)
        high = float(field.get_attribute("max") or low + 100)
        number = (low + high) / 2
        field.fill(f"{number:g}")
        return number
    if kind in TEXT_TYPES:
        # Markup characters must come back as typed, never as markup.
        text = f"My answer to {code}: trust & <scale> matter"
        question.locator("input, textarea").fill(text)
        return text
    if kind == "country":
        question.locator("select").select_option("KE")
        return "KE"
    raise AssertionError(f"The test cannot answer question {code!r} of type {kind!r}.")


def answer_blank_questions(page: Page, answered: dict[str, AnswerValue]) -> None:
    """Answer every shown question not in ``answered`` (code → value), follow-ups that appear
    meanwhile included, and add them to it."""
    while blank := [
        question
        for question in page.locator(SHOWN_QUESTIONS).all()
        if question.get_attribute("data-question") not in answered
    ]:
        for question in blank:
            answered[question.get_attribute("data-question")] = answer_question(question)


def stored_value(answer: Answer, kind: str) -> AnswerValue:
    if kind in NUMERIC_TYPES:
        return answer.number
    return answer.codes if kind in CODE_LIST_TYPES else answer.text


def question_types(page: Page) -> dict[str, str]:
    return {
        question.get_attribute("data-question"): question.get_attribute("data-type")
        for question in page.locator("[data-question]").all()
    }


def expect_answers_shown(page: Page, answers: dict[str, AnswerValue], types: dict[str, str]) -> None:
    """The page's inputs hold ``answers`` (code → value as stored)."""
    for code, value in answers.items():
        question = page.locator(f'[data-question="{code}"]')
        kind = types[code]
        if kind in RADIO_TYPES:
            shown = f"{value:g}" if kind in NUMERIC_TYPES else value
            expect(question.locator(f'input[type=radio][value="{shown}"]')).to_be_checked()
        elif kind == "multiple_choice":
            for choice in value:
                expect(question.locator(f'input[type=checkbox][value="{choice}"]')).to_be_checked()
        elif kind == "ranking":
            for select, choice in zip(question.locator("select").all(), value, strict=True):
                expect(select).to_have_value(choice)
        elif kind == "number":
            assert float(question.locator("input").input_value()) == value, code
        else:
            expect(question.locator("input, textarea, select")).to_have_value(value)


# Show-if on the page ---------------------------------------------------------------------------


def same_page_follow_up(page: Page) -> tuple[Locator, dict, Locator] | None:
    """A follow-up depending on a question shown on the same page and answered by radio buttons:
    (follow-up, its condition, the question it depends on), or None."""
    for follow_up in page.locator("[data-show-if]").all():
        condition = json.loads(follow_up.get_attribute("data-show-if"))
        target = page.locator(f'[data-question="{condition["question"]}"]')
        if target.count() and target.is_visible() and target.get_attribute("data-type") in RADIO_TYPES:
            return follow_up, condition, target
    return None


def answer_each_way(follow_up: Locator, condition: dict, target: Locator) -> AnswerValue:
    """Give every answer to ``target`` in turn: the follow-up shows exactly when the server's rule
    (``condition_holds``) says it should, and hides otherwise. Ends on an answer that shows it and
    returns that answer."""
    kind = target.get_attribute("data-type")
    showing, outcomes = None, set()
    for radio in target.locator("input[type=radio]").all():
        radio.check()
        value = radio_value(kind, radio.get_attribute("value"))
        shows = condition_holds(condition["operator"], condition["value"], value)
        expect(follow_up).to_be_visible() if shows else expect(follow_up).to_be_hidden()
        outcomes.add(shows)
        showing = (radio, value) if shows else showing
    assert outcomes == {True, False}, (
        f"No answer to {condition['question']} both shows and hides a follow-up."
    )
    radio, value = showing
    radio.check()
    expect(follow_up).to_be_visible()
    return value


def answer_section(page: Page, given: dict[str, AnswerValue], *, try_show_if: bool) -> bool:
    """Answer the section on screen into ``given``; with ``try_show_if``, first work a same-page
    follow-up each way if there is one. Returns whether it did."""
    follow_up = same_page_follow_up(page) if try_show_if else None
    if follow_up:
        given[follow_up[1]["question"]] = answer_each_way(*follow_up)
    answer_blank_questions(page, given)
    return follow_up is not None


# The journey -----------------------------------------------------------------------------------


@pytest.fixture
def demo_link(live_server, transactional_db) -> tuple[Invitation, str]:
    """A fresh link for an English-speaking expert of the demo survey who has not opened it yet."""
    with override_settings(DEBUG=True):  # seed_demo refuses to run otherwise
        call_command("seed_demo", experts=20, seed=1, stdout=StringIO())
    invitation = (
        Invitation.objects.filter(
            opened_at__isnull=True,
            revoked_at__isnull=True,
            declined_at__isnull=True,
            response__isnull=True,
            survey__status="open",
            expert__preferred_language="en",
        )
        .order_by("pk")
        .first()
    )
    assert invitation, "seed_demo made no unopened invitation to an open survey."
    return invitation, f"{live_server.url}/r/{invitation_reissue(invitation=invitation)}/"


@pytest.mark.browser
def test_an_expert_completes_the_demo_survey_on_a_phone_resuming_on_another_device(demo_link, open_page):
    invitation, link = demo_link
    page = open_page(viewport=PHONE)
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/consent/$"))
    give_consent(page, "not_for_quotation")

    first_section_url = page.url
    types = question_types(page)
    given = {first_section_url: {}}
    show_if_tried = answer_section(page, given[first_section_url], try_show_if=True)
    page.screenshot(path=PHONE_SCREENSHOT, full_page=True)
    expect_fits_the_screen(page)
    save_and_continue(page)
    next_section_url = page.url

    # Another device: the link resumes at the next section, and Back shows the answers kept.
    page.context.close()
    page = open_page(viewport=PHONE)
    page.goto(link)
    assert page.url == next_section_url and re.search(r"/section/\d+/$", page.url)
    page.locator("button[name=action][value=back]").click()
    expect(page).to_have_url(first_section_url)
    expect_answers_shown(page, given[first_section_url], types)
    save_and_continue(page)
    expect(page).to_have_url(next_section_url)

    while "/section/" in page.url:
        types |= question_types(page)
        given[page.url] = {}
        show_if_tried |= answer_section(page, given[page.url], try_show_if=not show_if_tried)
        expect_fits_the_screen(page)
        save_and_continue(page)
    assert show_if_tried, "No section of the demo has a follow-up depending on a question on its own page."

    expect(page).to_have_url(re.compile(r"/review/$"))
    answers = {code: value for section in given.values() for code, value in section.items()}
    written = {code: value for code, value in answers.items() if types[code] in TEXT_TYPES}
    numbers = {code: value for code, value in answers.items() if types[code] == "number"}
    assert written and numbers, "The demo should ask for some text and a number."
    for code, text in written.items():
        expect(page.locator(f'[data-answer="{code}"]')).to_have_text(text)
    for code, number in numbers.items():
        expect(page.locator(f'[data-answer="{code}"]')).to_have_text(f"{number:g}")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/thanks/$"))
    with page.expect_download() as download:
        page.locator("a[download]").click()
    copy = download.value.path().read_text()
    assert all(escape(text) in copy for text in written.values())

    response = Response.objects.get(invitation=invitation)
    assert response.is_submitted and response.consent_given_at is not None
    assert response.attribution == "not_for_quotation"
    stored = {a.question.code: a for a in Answer.objects.filter(response=response).select_related("question")}
    assert {code: stored_value(answer, types[code]) for code, answer in stored.items()} == answers


# Validation ------------------------------------------------------------------------------------


@pytest.fixture
def every_type_link(live_server, transactional_db) -> str:
    """A link to the every-type survey (``tests.factories.every_type_survey``)."""
    _invitation, token = invite(every_type_survey())
    return f"{live_server.url}/r/{token}/"


@pytest.mark.browser
def test_a_number_out_of_bounds_is_explained_beside_it_and_every_other_input_is_kept(page, every_type_link):
    page.goto(every_type_link)
    give_consent(page, "anonymous")
    page.locator("input[name=q_agree][value='2']").check()
    save_and_continue(page)

    page.locator("select[name=q_priorities__rank1]").select_option("voice")
    page.locator("select[name=q_priorities__rank2]").select_option("access")
    page.locator("input[name=q_outlook][value='7']").check()
    page.locator("input[name=q_years]").fill("61")
    page.locator("input[name=q_title]").fill("Professor & <dean>")
    page.locator("select[name=q_home]").select_option("BR")
    page.locator("button[name=action][value=next]").click()

    expect(page).to_have_url(re.compile(r"/section/2/$"))
    message = page.locator("[data-question=years] .invalid-feedback")
    expect(message).to_be_visible()
    expect(message).to_contain_text("less than or equal to 60")
    expect(page.locator(".invalid-feedback")).to_have_count(1)
    expect(page.locator("input[name=q_years]")).to_have_value("61")
    expect(page.locator("select[name=q_priorities__rank1]")).to_have_value("voice")
    expect(page.locator("select[name=q_priorities__rank2]")).to_have_value("access")
    expect(page.locator("input[name=q_outlook][value='7']")).to_be_checked()
    expect(page.locator("input[name=q_title]")).to_have_value("Professor & <dean>")
    expect(page.locator("select[name=q_home]")).to_have_value("BR")


# Languages -------------------------------------------------------------------------------------


@pytest.mark.browser
def test_an_expert_preferring_chinese_reads_chinese_and_can_switch_to_english(
    page, live_server, transactional_db
):
    _invitation, token = invite(every_type_survey(), ExpertFactory(preferred_language="zh-hans"))
    page.goto(f"{live_server.url}/r/{token}/")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("main")).to_contain_text("请您同意。")

    page.locator("#language-select").select_option("en")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("We ask for your consent.")
    expect(page).to_have_url(re.compile(r"/consent/$"))
