"""Questionnaires as files: export to and import from the Roundtable questionnaire format (JSON or
YAML; see ``questionnaire_format.py`` and ``docs/questionnaire-format.md``), and import from
XLSForm (``xlsform.py``).

A file holds the questionnaire and the survey's settings, never its status, dates, panel or
answers: an imported survey is a draft. Export → import → export gives the same file. Import is
all or nothing: the document is checked first, then the objects are made and the questionnaire
checked (``questionnaire_problems``); any problem rolls everything back, and every problem is
named by where it is in the file.
"""

import json
from pathlib import Path

import yaml
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from ..models import Choice, Question, Response, Section, Series, Survey
from ..selectors import questionnaire_for_survey
from ..validation import Problem, QuestionnaireInvalid, questionnaire_problems
from .questionnaire_format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    SURVEY_FIELDS,
    document_problems,
    question_paths,
)
from .surveys import SurveyStateError
from .xlsform import document_from_xlsform

MAX_FILE_BYTES = 5 * 1024 * 1024
DOCUMENT_SUFFIXES = (".json", ".yaml", ".yml")
XLSFORM_SUFFIXES = (".xlsx",)


class QuestionnaireFileError(Exception):
    """The file cannot be read or written as a questionnaire; the message says why."""


# ---------------------------------------------------------------------------------------------
# Export


def _plain_number(value: float | None) -> float | int | None:
    """Whole numbers as integers, so files read ``60`` rather than ``60.0``."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def survey_to_document(*, survey: Survey) -> dict:
    """The survey's questionnaire and settings as a ``roundtable-questionnaire`` document.

    Keys come in a fixed order and texts in the survey's language order, so a survey always
    gives the same file. Optional question, choice and section keys are left out when unset.
    """
    questionnaire = questionnaire_for_survey(survey=survey)
    rank = {code: i for i, code in enumerate(dict.fromkeys([survey.default_language, *survey.languages]))}

    def texts(value: dict) -> dict:
        return dict(sorted(value.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0])))

    def choice_entry(choice: Choice) -> dict:
        entry = {"code": choice.code, "label": texts(choice.label)}
        entry.update({flag: True for flag in ("is_other", "is_exclusive") if getattr(choice, flag)})
        return entry

    def question_entry(question: Question) -> dict:
        entry = {"code": question.code, "type": question.type, "text": texts(question.text)}
        entry["required"] = question.required
        optional = {
            "help_text": texts(question.help_text),
            "scale_points": question.scale_points,
            "scale_labels": [texts(label) for label in question.scale_labels],
            "min_value": _plain_number(question.min_value),
            "max_value": _plain_number(question.max_value),
            "rank_top_k": question.rank_top_k,
        }
        entry.update({key: value for key, value in optional.items() if value not in (None, {}, [])})
        if question.show_if_question is not None:
            entry["show_if"] = {
                "question": question.show_if_question.code,
                "operator": question.show_if_operator,
                "value": question.show_if_value,
            }
        choices = list(question.choices.all())
        if choices or question.type in Question.CHOICE_TYPES:
            entry["choices"] = [choice_entry(choice) for choice in choices]
        return entry

    def section_entry(section: Section) -> dict:
        entry = {"title": texts(section.title)}
        if section.intro:
            entry["intro"] = texts(section.intro)
        entry["questions"] = [question_entry(q) for q in questionnaire.questions_in(section)]
        return entry

    settings = {field: getattr(survey, field) for field in SURVEY_FIELDS}
    settings.update({field: texts(settings[field]) for field in ("title", "description", "consent_text")})
    settings["languages"] = list(survey.languages)
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "series": {"slug": survey.series.slug, "title": survey.series.title},
        "slug": survey.slug,
        **settings,
        "sections": [section_entry(section) for section in questionnaire.sections],
    }


def _suffix(path: Path, allowed: tuple[str, ...]) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        names = {"file": path.name, "allowed": ", ".join(allowed)}
        raise QuestionnaireFileError(_("%(file)s: use a file ending in %(allowed)s.") % names)
    return suffix


def export_survey(*, survey: Survey, path: Path) -> None:
    """Write the survey's document to ``path``: JSON for ``.json``, YAML for ``.yaml``/``.yml``."""
    suffix = _suffix(path, DOCUMENT_SUFFIXES)
    document = survey_to_document(survey=survey)
    if suffix == ".json":
        content = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    else:
        content = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    path.write_text(content, encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Import

MODEL_PATHS = {"show_if_operator": "show_if.operator", "show_if_value": "show_if.value"}


def _field_problems(instance: models.Model, path: str, exclude: list[str]) -> list[Problem]:
    """The model's own rules (code format, slug, lengths, languages, clean()), located at ``path``."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        prefix = f"{path}." if path else ""
        return [
            Problem(
                (path or "survey") if field == NON_FIELD_ERRORS else prefix + MODEL_PATHS.get(field, field),
                message,
            )
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return []


def _survey_to_replace(*, slug: str, replace: bool) -> Survey | None:
    """The survey an import would replace, or None; refuses what may not be replaced."""
    existing = Survey.objects.filter(slug=slug).first()
    if existing is None:
        return None
    if not replace:
        raise SurveyStateError(
            _("A survey with the slug “%(slug)s” exists already: import under another slug, or replace it.")
            % {"slug": slug}
        )
    if Response.objects.filter(survey=existing).exists():
        raise SurveyStateError(
            _("The survey “%(slug)s” has responses, so its questionnaire cannot be replaced.")
            % {"slug": slug}
        )
    return existing


def _build_questions(document: dict):
    """Unsaved sections, (question, show_if) pairs and choices, and the problems their fields have."""
    sections: list[Section] = []
    questions: list[tuple[Question, dict]] = []
    choices: list[Choice] = []
    problems: list[Problem] = []
    for s, entry in enumerate(document["sections"]):
        section = Section(position=s + 1, title=entry.get("title", {}), intro=entry.get("intro", {}))
        sections.append(section)
        for q, item in enumerate(entry["questions"]):
            path, show_if = f"sections[{s}].questions[{q}]", item.get("show_if") or {}
            question = Question(
                section=section,
                position=q + 1,
                code=item["code"],
                type=item["type"],
                text=item["text"],
                help_text=item.get("help_text", {}),
                required=item.get("required", False),
                scale_points=item.get("scale_points"),
                scale_labels=item.get("scale_labels", []),
                min_value=item.get("min_value"),
                max_value=item.get("max_value"),
                rank_top_k=item.get("rank_top_k"),
                show_if_operator=show_if.get("operator", ""),
                show_if_value=show_if.get("value"),
            )
            questions.append((question, show_if))
            problems += _field_problems(question, path, exclude=["survey", "section", "show_if_question"])
            for c, choice_item in enumerate(item.get("choices", [])):
                choice = Choice(
                    question=question,
                    position=c + 1,
                    code=choice_item["code"],
                    label=choice_item["label"],
                    is_other=choice_item.get("is_other", False),
                    is_exclusive=choice_item.get("is_exclusive", False),
                )
                choices.append(choice)
                problems += _field_problems(choice, f"{path}.choices[{c}]", exclude=["question"])
    return sections, questions, choices, problems


@transaction.atomic
def survey_from_document(*, document: dict, slug: str | None = None, replace: bool = False) -> Survey:
    """Create the survey a ``roundtable-questionnaire`` document describes, as a draft.

    ``slug`` overrides the document's. An existing survey with that slug is refused unless
    ``replace`` is set and it has no responses; it then keeps its status, dates, panel and
    invitations, and the file replaces everything else. The series is found by its slug (its
    title is left as it is) or created.

    Raises ``QuestionnaireInvalid`` listing every problem, or ``SurveyStateError``.
    """
    problems = document_problems(document=document)
    if problems:
        raise QuestionnaireInvalid(problems)
    slug = slug or document["slug"]
    existing = _survey_to_replace(slug=slug, replace=replace)
    series = Series.objects.filter(slug=document["series"]["slug"]).first()
    series = series or Series(slug=document["series"]["slug"], title=document["series"]["title"])
    survey = existing or Survey(slug=slug)
    for field in SURVEY_FIELDS:
        setattr(survey, field, document.get(field, Survey._meta.get_field(field).get_default()))
    problems = [] if series.pk else _field_problems(series, "series", exclude=[])
    problems += _field_problems(survey, "", exclude=["series"])
    sections, questions, choices, question_problems = _build_questions(document)
    if problems or question_problems:
        raise QuestionnaireInvalid(problems + question_problems)

    if series.pk is None:
        series.save()
    survey.series = series
    if existing is not None:
        existing.sections.all().delete()
    survey.save()
    for section in sections:
        section.survey = survey
    Section.objects.bulk_create(sections)
    # bulk_create takes each parent's key from the parent object, saved just before.
    for question, _show_if in questions:
        question.survey = survey
    Question.objects.bulk_create([question for question, _show_if in questions])
    # Targets first: a show-if can only be set once its target has a primary key.
    by_code = {question.code: question for question, _show_if in questions}
    for question, show_if in questions:
        if show_if:
            question.show_if_question = by_code[show_if["question"]]
    Question.objects.bulk_update([q for q, show_if in questions if show_if], ["show_if_question"])
    Choice.objects.bulk_create(choices)

    problems = questionnaire_problems(questionnaire_for_survey(survey=survey))
    if problems:
        # Located by code or "section N" in the database; by their place in the file here.
        places = {item["code"]: f"{path} ({item['code']})" for path, item in question_paths(document)}
        places.update({_("section %(n)d") % {"n": s + 1}: f"sections[{s}]" for s in range(len(sections))})
        raise QuestionnaireInvalid([Problem(places.get(p.where, p.where), p.message) for p in problems])
    return survey


# ---------------------------------------------------------------------------------------------
# Reading files


class _NoAliasLoader(yaml.SafeLoader):
    """``yaml.safe_load``'s loader, refusing aliases: a few bytes of nested aliases can stand for
    billions of nodes, and a questionnaire has no use for them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, _("aliases (*name) are not allowed here"), mark)
        return super().compose_node(parent, index)


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise QuestionnaireFileError(f"{path}: {error.strerror}") from error
    if size > MAX_FILE_BYTES:
        sizes = {"file": path.name, "size": size / 1024 / 1024, "limit": MAX_FILE_BYTES // 1024 // 1024}
        raise QuestionnaireFileError(
            _("%(file)s is %(size).1f MB; questionnaire files may be up to %(limit)d MB.") % sizes
        )


def read_document(*, path: Path):
    """The parsed content of a ``.json``, ``.yaml`` or ``.yml`` file, not yet checked."""
    suffix = _suffix(path, DOCUMENT_SUFFIXES)
    _check_size(path)
    try:
        with path.open(encoding="utf-8") as stream:
            return json.load(stream) if suffix == ".json" else yaml.load(stream, Loader=_NoAliasLoader)  # noqa: S506
    except UnicodeDecodeError as error:
        raise QuestionnaireFileError(_("%s is not UTF-8 text.") % path.name) from error
    except RecursionError as error:
        raise QuestionnaireFileError(_("%s nests too deeply to be a questionnaire.") % path.name) from error
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        names = {"file": path.name, "error": error}
        raise QuestionnaireFileError(_("%(file)s cannot be read: %(error)s") % names) from error
    except OSError as error:
        raise QuestionnaireFileError(f"{path}: {error.strerror}") from error


def survey_from_xlsform(*, path: Path, slug: str | None = None, replace: bool = False) -> Survey:
    """Create a draft survey from an XLSForm (``.xlsx``), read and checked by pyxform.

    Every problem is located by sheet and row. ``slug`` overrides the form's ``form_id``.
    Raises ``QuestionnaireFileError``, ``QuestionnaireInvalid`` or ``SurveyStateError``.
    """
    _suffix(path, XLSFORM_SUFFIXES)
    _check_size(path)
    translated = document_from_xlsform(path=path, slug=slug)
    try:
        return survey_from_document(document=translated.document, replace=replace)
    except QuestionnaireInvalid as invalid:
        raise QuestionnaireInvalid([translated.locate(problem) for problem in invalid.problems]) from invalid


def import_survey(*, path: Path, slug: str | None = None, replace: bool = False) -> Survey:
    """Create a draft survey from a file: the Roundtable format (``.json``, ``.yaml``, ``.yml``)
    or an XLSForm (``.xlsx``). ``slug`` and ``replace`` as for ``survey_from_document``.

    Raises ``QuestionnaireFileError``, ``QuestionnaireInvalid`` or ``SurveyStateError``.
    """
    if _suffix(path, DOCUMENT_SUFFIXES + XLSFORM_SUFFIXES) in XLSFORM_SUFFIXES:
        return survey_from_xlsform(path=path, slug=slug, replace=replace)
    return survey_from_document(document=read_document(path=path), slug=slug, replace=replace)
