"""The ``roundtable-questionnaire`` document: which keys it has, of which kind, and the checks a
document passes before anything is stored. ``docs/questionnaire-format.md`` describes it for
people and ``docs/questionnaire-format.schema.json`` as a JSON Schema.

Every problem is named by its path in the document, such as
``sections[2].questions[4].type: unknown type “slider”``.
"""

from collections.abc import Callable, Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Question
from ..validation import Problem

FORMAT_NAME = "roundtable-questionnaire"
FORMAT_VERSION = 1


def _kind(accepts: Callable[[object], bool], description) -> Callable[[object], str | None]:
    def check(value) -> str | None:
        return None if accepts(value) else _("expected %(kind)s") % {"kind": description}

    return check


def _is_texts(value) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def _is_integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


STRING = _kind(lambda v: isinstance(v, str), gettext_lazy("text"))
BOOLEAN = _kind(lambda v: isinstance(v, bool), gettext_lazy("true or false"))
INTEGER = _kind(_is_integer, gettext_lazy("a whole number"))
OPTIONAL_INTEGER = _kind(lambda v: v is None or _is_integer(v), gettext_lazy("a whole number or null"))
OPTIONAL_NUMBER = _kind(lambda v: v is None or _is_number(v), gettext_lazy("a number or null"))
NUMBER = _kind(_is_number, gettext_lazy("a number"))
TEXTS = _kind(_is_texts, gettext_lazy("texts by language, such as {en: …}"))
TEXTS_LIST = _kind(
    lambda v: isinstance(v, list) and all(map(_is_texts, v)), gettext_lazy("a list of texts by language")
)
CODE_LIST = _kind(
    lambda v: isinstance(v, list) and all(isinstance(c, str) for c in v), gettext_lazy("a list of codes")
)
ANY = _kind(lambda v: True, "")

# Each key: (kind, required). A dict kind is an object with those keys, a one-item list a list
# of such objects, and a (dict, None) tuple the object or null.
SHOW_IF = {"question": (STRING, True), "operator": (STRING, True), "value": (ANY, False)}
CHOICE = {
    "code": (STRING, True),
    "label": (TEXTS, True),
    "is_other": (BOOLEAN, False),
    "is_exclusive": (BOOLEAN, False),
}
QUESTION = {
    "code": (STRING, True),
    "type": (STRING, True),
    "text": (TEXTS, True),
    "required": (BOOLEAN, False),
    "help_text": (TEXTS, False),
    "scale_points": (OPTIONAL_INTEGER, False),
    "scale_labels": (TEXTS_LIST, False),
    "min_value": (OPTIONAL_NUMBER, False),
    "max_value": (OPTIONAL_NUMBER, False),
    "rank_top_k": (OPTIONAL_INTEGER, False),
    "show_if": ((SHOW_IF, None), False),
    "choices": ([CHOICE], False),
}
SECTION = {"title": (TEXTS, False), "intro": (TEXTS, False), "questions": ([QUESTION], True)}
DOCUMENT = {
    "format": (STRING, True),
    "version": (INTEGER, True),
    "series": ({"slug": (STRING, True), "title": (STRING, True)}, True),
    "wave_label": (STRING, True),
    "slug": (STRING, True),
    "default_language": (STRING, True),
    "languages": (CODE_LIST, True),
    "title": (TEXTS, True),
    "description": (TEXTS, False),
    "consent_text": (TEXTS, False),
    "allow_edit_after_submit": (BOOLEAN, False),
    "reminder_interval_days": (INTEGER, False),
    "max_reminders": (INTEGER, False),
    "keep_anonymised_answers": (BOOLEAN, False),
    "min_group_size": (INTEGER, False),
    "consensus_iqr_max": (NUMBER, False),
    "consensus_share_min": (NUMBER, False),
    "sections": ([SECTION], True),
}
# The survey settings a document carries, besides series, slug and sections.
SURVEY_FIELDS = [key for key in DOCUMENT if key not in ("format", "version", "series", "slug", "sections")]


def _shape_problems(value, spec, path: str) -> list[Problem]:
    where = path or _("document")
    if isinstance(spec, tuple):
        return [] if value is None else _shape_problems(value, spec[0], path)
    if isinstance(spec, list):
        if not isinstance(value, list):
            return [Problem(where, _("expected a list"))]
        return [p for i, item in enumerate(value) for p in _shape_problems(item, spec[0], f"{path}[{i}]")]
    if not isinstance(spec, dict):
        message = spec(value)
        return [Problem(where, message)] if message else []
    if not isinstance(value, dict):
        return [Problem(where, _("expected keys and values"))]
    prefix = f"{path}." if path else ""
    problems = [Problem(f"{prefix}{key}", _("unknown key")) for key in value if key not in spec]
    for key, (kind, required) in spec.items():
        if key in value:
            problems += _shape_problems(value[key], kind, f"{prefix}{key}")
        elif required:
            problems.append(Problem(f"{prefix}{key}", _("missing")))
    return problems


def question_paths(document: dict) -> Iterator[tuple[str, dict]]:
    """(path, question) for each question of a well-shaped document, in order."""
    for s, section in enumerate(document["sections"]):
        for q, question in enumerate(section["questions"]):
            yield f"sections[{s}].questions[{q}]", question


def _duplicate(path: str, code: str, other: str) -> Problem:
    return Problem(path, _("“%(code)s” is also the code of %(other)s") % {"code": code, "other": other})


def _meaning_problems(document: dict) -> list[Problem]:
    """Types, operators, duplicate codes and show-if targets of a well-shaped document."""
    problems = []
    first_path: dict[str, str] = {}
    for path, question in question_paths(document):
        code = question["code"]
        if code in first_path:
            problems.append(_duplicate(f"{path}.code", code, first_path[code]))
        first_path.setdefault(code, path)
        if question["type"] not in Question.Type.values:
            known = {"type": question["type"], "known": ", ".join(Question.Type.values)}
            problems.append(
                Problem(f"{path}.type", _("unknown type “%(type)s”; known types: %(known)s") % known)
            )
        choice_paths: dict[str, str] = {}
        for c, choice in enumerate(question.get("choices", [])):
            if choice["code"] in choice_paths:
                problems.append(
                    _duplicate(f"{path}.choices[{c}].code", choice["code"], choice_paths[choice["code"]])
                )
            choice_paths.setdefault(choice["code"], f"choices[{c}]")
    for path, question in question_paths(document):
        show_if = question.get("show_if")
        if show_if is None:
            continue
        if show_if["question"] not in first_path:
            message = _("no question has the code “%(code)s”") % {"code": show_if["question"]}
            problems.append(Problem(f"{path}.show_if.question", message))
        if show_if["operator"] not in Question.Operator.values:
            known = {"operator": show_if["operator"], "known": ", ".join(Question.Operator.values)}
            message = _("unknown operator “%(operator)s”; known operators: %(known)s") % known
            problems.append(Problem(f"{path}.show_if.operator", message))
    return problems


def document_problems(*, document) -> list[Problem]:
    """Everything wrong with a parsed document before anything is stored, in document order.

    The format and version are checked first: a file of another kind gets one clear message.
    """
    if not isinstance(document, dict):
        return [Problem(_("document"), _("expected keys and values"))]
    if document.get("format") != FORMAT_NAME:
        return [Problem("format", _("expected “%s”") % FORMAT_NAME)]
    if document.get("version") != FORMAT_VERSION:
        versions = {"ours": FORMAT_VERSION, "file": document.get("version")}
        return [Problem("version", _("Roundtable reads version %(ours)s files, not %(file)s") % versions)]
    return _shape_problems(document, DOCUMENT, "") or _meaning_problems(document)
