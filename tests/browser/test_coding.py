"""Coding with the keyboard in a real browser: select a passage, tick themes with number keys,
save with Enter, move on with j, three answers in a row.

The answers hold what makes offsets hard: a Windows line break (which HTML reads as one
character), an emoji (two UTF-16 units, one Python character) and Chinese, so the test proves the
offsets the browser posts are the server's offsets.
"""

import pytest
from playwright.sync_api import Page, expect

from analysis.coding import codebook_for_survey, segment_code, theme_create
from analysis.models import CodedSegment, Quote
from surveys import roles, services
from surveys.conditions import AnswerValue
from surveys.models import Answer
from tests.analysis.test_load import take_part
from tests.factories import ExpertFactory, QuestionFactory, SectionFactory, SurveyFactory

# The live server needs real transactions; the flush after each test must not take the role
# groups and permissions that migrations created, so they are restored after it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "coding-in-a-browser"
# (answer text, its language, passage to select, number keys to press)
ANSWERS = [
    ("Compute is scarce.\r\nShared compute centres would help.", "en", "Shared compute centres", ["1", "2"]),
    (
        "Rules differ 🙂 everywhere; fragmentation costs small states most.",
        "en",
        "fragmentation costs",
        ["3"],
    ),
    ("算力不足是最大的障碍。能力建设需要长期资金。", "zh-hans", "能力建设需要长期资金", ["2", "3", "3", "1"]),
]


@pytest.fixture
def coding_setup(live_server):
    survey = SurveyFactory(slug="browser-coding")
    QuestionFactory(section=SectionFactory(survey=survey, position=1), code="why", type="long_text")
    for text, language, _passage, _keys in ANSWERS:
        take_part(survey, {"why": AnswerValue(text=text)}, expert=ExpertFactory(preferred_language=language))
    codebook = codebook_for_survey(survey=survey)
    divide = theme_create(codebook=codebook, name="AI divide")
    themes = [
        divide,
        theme_create(codebook=codebook, name="Capacity building", parent=divide),
        theme_create(codebook=codebook, name="Fragmentation"),
    ]
    researcher = services.user_create_with_role(username="coder", password=PASSWORD, role=roles.RESEARCHER)
    return survey, themes, researcher


def log_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=username]").fill("coder")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{base_url}/staff/")


def select_passage(page: Page, passage: str) -> None:
    """Select ``passage`` inside the answer element with a DOM range, as a mouse drag would."""
    page.locator("[data-answer-id]").evaluate(
        """(answer, passage) => {
            for (const piece of answer.querySelectorAll("[data-start]")) {
                const node = piece.firstChild, at = node.data.indexOf(passage);
                if (at === -1) { continue; }
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + passage.length);
                const selection = document.getSelection();
                selection.removeAllRanges();
                selection.addRange(range);
                return;
            }
            throw new Error("passage not found: " + passage);
        }""",
        passage,
    )
    expect(page.locator("[data-selection-text]")).to_have_text(passage)


@pytest.mark.browser
def test_three_answers_coded_with_the_keyboard(page: Page, live_server, coding_setup):
    survey, themes, researcher = coding_setup
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/coding/{survey.slug}/")
    for number, (_text, _language, passage, keys) in enumerate(ANSWERS, start=1):
        expect(page.locator("[data-answer-count]")).to_have_text(f"{number} of {len(ANSWERS)}")
        select_passage(page, passage)
        for key in keys:
            page.keyboard.press(key)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator(".alert-success")).to_contain_text("The coding is saved.")
        expect(page.locator("mark")).to_have_text(passage)
        if number < len(ANSWERS):
            with page.expect_navigation():
                page.keyboard.press("j")

    segments = CodedSegment.objects.select_related("answer").order_by("answer__response_id")
    assert len(segments) == 3
    # An odd number of presses ticks a theme; an even number unticks it.
    expected = [{themes[int(key) - 1] for key in set(keys) if keys.count(key) % 2} for *_, keys in ANSWERS]
    for segment, (_text, _language, passage, _keys), wanted in zip(segments, ANSWERS, expected, strict=True):
        assert segment.coder == researcher
        assert segment.answer.text[segment.start : segment.end] == passage
        assert set(segment.themes.all()) == wanted


@pytest.mark.browser
def test_enter_without_a_selection_codes_the_whole_answer_and_help_opens_with_a_question_mark(
    page: Page, live_server, coding_setup
):
    survey, themes, researcher = coding_setup
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/coding/{survey.slug}/?n=2")
    help_box = page.locator("#coding-help")
    expect(help_box).to_be_hidden()
    page.keyboard.press("?")
    expect(help_box).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_box).to_be_hidden()
    page.keyboard.press("3")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    segment = CodedSegment.objects.select_related("answer").get()
    assert (segment.start, segment.end) == (0, len(segment.answer.text))
    assert (segment.coder, list(segment.themes.all())) == (researcher, [themes[2]])


@pytest.mark.browser
def test_q_marks_the_selected_passage_as_a_quote(page: Page, live_server, coding_setup):
    survey, _themes, researcher = coding_setup
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/coding/{survey.slug}/?n=3")
    select_passage(page, "能力建设需要长期资金")
    page.locator("#quote-translation").fill("Capacity building needs long-term funding.")
    page.locator("h1").click()  # out of the text box; a click outside the answer keeps the selection
    expect(page.locator("[data-selection-text]")).to_have_text("能力建设需要长期资金")
    with page.expect_navigation():
        page.keyboard.press("q")
    quote = Quote.objects.select_related("answer").get()
    assert quote.answer.text[quote.start : quote.end] == "能力建设需要长期资金"
    assert (quote.marked_by, quote.translation, quote.translation_language) == (
        researcher,
        "Capacity building needs long-term funding.",
        "en",
    )


@pytest.mark.browser
def test_clicking_a_suggested_theme_ticks_it_and_saves_nothing(page: Page, live_server, coding_setup):
    survey, themes, researcher = coding_setup
    shortage = [
        Answer.objects.get(response=take_part(survey, {"why": AnswerValue(text=text)}))
        for text in [
            "A compute shortage keeps our labs behind.",
            "The compute shortage slows every lab here.",
            "Our labs suffer from the compute shortage.",
        ]
    ]
    for answer in shortage[:2]:
        segment_code(answer=answer, coder=researcher, start=0, end=len(answer.text), themes=[themes[2]])
    log_in(page, live_server.url)
    url = f"{live_server.url}/coding/{survey.slug}/?status=uncoded_by_me&n={len(ANSWERS) + 1}"
    page.goto(url)
    expect(page.locator("[data-answer-id]")).to_have_attribute("data-answer-id", str(shortage[2].pk))
    box = page.locator(f"#theme-{themes[2].pk}")
    expect(box).not_to_be_checked()
    page.locator(f'[data-suggest-theme="{themes[2].pk}"]').click()
    expect(box).to_be_checked()
    assert page.url == url
    assert not CodedSegment.objects.filter(answer=shortage[2]).exists()
