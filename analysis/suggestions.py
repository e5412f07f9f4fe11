"""Help for coders: the words that set a question's answers apart, and themes an answer may carry.

Both read the submitted answers of one question as TF-IDF vectors (scikit-learn's
``TfidfVectorizer``). Text is lower-cased and cut into clauses at punctuation; Chinese is segmented
into words with jieba, other scripts into words of letters; English and Chinese stop words are
dropped. The terms are the words and the pairs of neighbouring words within a clause (not across a
stop word), so "digital divide" and "数字鸿沟" (jieba: 数字 + 鸿沟) are terms of their own.

Suggestions are never applied: these functions only return them; a coder decides.
"""

import itertools
import logging
import re
from collections.abc import Sequence
from functools import cache

import jieba
import numpy
import pandas
from django.contrib.auth.models import AbstractBaseUser
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from surveys.models import Answer, Response, Survey

from .models import CodedSegment, Theme
from .stats.grouping import group_columns

MIN_ANSWERS = 2
MIN_PASSAGES = 2
MIN_SIMILARITY = 0.1

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[^\W\d_{CJK}]+(?:['-][^\W\d_{CJK}]+)*)")
CLAUSE_BREAK = re.compile(r"[^\w\s'’-]+")
# A short hand-made list of Mandarin function words, as jieba cuts them; not exhaustive.
CHINESE_STOP_WORDS = frozenset([
    "的", "了", "和", "是", "在", "有", "也", "就", "都", "而", "及", "与", "着", "或", "一", "不",
    "没", "没有", "这", "那", "之", "其", "为", "以", "于", "上", "下", "中", "对", "会", "能", "要",
    "把", "被", "让", "给", "从", "向", "到", "很", "更", "最", "又", "还", "并", "等", "个", "些",
    "我", "你", "他", "她", "它", "们", "我们", "你们", "他们", "她们", "它们", "吗", "呢", "吧", "啊",
    "这个", "那个", "这些", "那些", "一个", "一些", "自己", "什么", "怎么", "如何", "因为", "所以",
    "但是", "但", "如果", "虽然", "可以", "可能", "应该", "需要", "已经", "非常", "比较", "还是",
    "就是", "只是", "以及", "或者", "而且", "并且", "然后", "其他", "之间", "通过", "进行", "认为",
    "觉得", "所", "地", "得", "将", "则", "即", "该", "此", "由", "跟", "比", "若", "每", "各", "多",
    "少",
])  # fmt: skip
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | CHINESE_STOP_WORDS
_CJK_WORD = re.compile(rf"^[{CJK}]+$")


@cache
def _chinese_words():
    """jieba's segmenter, its dictionary loaded once per process without the log chatter."""
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.lcut


def _words(clause: str) -> list[str | None]:
    """The words of a lower-cased clause in order, None in place of a stop word. English
    possessives lose their "'s" and contractions with "n't" count as stop words."""
    words: list[str | None] = []
    for match in TOKEN.finditer(clause.replace("’", "'")):
        if match["word"]:
            word = match["word"].removesuffix("'s")
            found = ["" if "n't" in word else word]
        else:
            found = _chinese_words()(match["cjk"])
        # A lone Latin letter is no word; a single Chinese character can be one (税, 钱).
        words += [
            None if word in STOP_WORDS or (len(word) < 2 and not match["cjk"]) else word for word in found
        ]
    return words


def terms(text: str) -> list[str]:
    """The terms of ``text`` for TF-IDF: its words and its pairs of neighbouring words (joined
    without a space when both are Chinese), stop words left out and never bridged."""
    found = []
    for clause in CLAUSE_BREAK.split(text.lower()):
        words = _words(clause)
        found += [word for word in words if word]
        for first, second in itertools.pairwise(words):
            if first and second:
                joiner = "" if _CJK_WORD.match(first) and _CJK_WORD.match(second) else " "
                found.append(f"{first}{joiner}{second}")
    return found


def _vectorizer(min_answers: int = 1) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=terms, min_df=min_answers)


def _answers(*, survey: Survey, question_code: str, columns: Sequence[str] = ()) -> pandas.DataFrame:
    """The submitted, non-blank answers to a question, in one query: ``text`` and ``columns``
    (the response's snapshot groups)."""
    rows = Answer.objects.filter(
        question__survey=survey, question__code=question_code, response__status=Response.Status.SUBMITTED
    ).values_list("text", *(f"response__{column}" for column in columns))
    frame = pandas.DataFrame.from_records(list(rows), columns=["text", *columns]).astype(str)
    return frame.loc[frame["text"].str.strip().ne("")].reset_index(drop=True)


def distinctive_terms(
    *,
    survey: Survey,
    question_code: str,
    top: int = 15,
    by: str | None = None,
    k: int | None = None,
    min_answers: int = MIN_ANSWERS,
) -> pandas.DataFrame:
    """The terms that characterise the submitted answers to a question, by TF-IDF.

    Each answer is a vector of tf-idf weights (scikit-learn defaults: raw term counts × smoothed
    idf = ln((1 + N) / (1 + df)) + 1, each vector scaled to length 1). A term is kept only when at
    least ``min_answers`` answers use it, so a name or a typo in one answer never shows.

    - Without ``by``: the ``top`` terms with the highest mean weight over all answers. Columns
      ``term``, ``score`` (the mean weight) and ``n_answers`` (answers using it).
    - With ``by`` (a grouping: ``north_south``, ``un_region``, ``sector`` …): per group, the
      ``top`` terms most distinctive of it, score = mean weight in the group − mean weight in the
      other answers (positive scores only), used by at least ``min_answers`` answers of the group.
      Groups with fewer than ``k`` answers (the survey's ``min_group_size`` by default) and the
      unknown group "" are left out. Columns: the grouping, ``term``, ``score``, ``mean_group``,
      ``mean_rest``, ``n_answers`` (in the group).
    """
    columns = group_columns(by, most=1)
    answers = _answers(survey=survey, question_code=question_code, columns=columns)
    if not columns:
        result = pandas.DataFrame(columns=["term", "score", "n_answers"])
    else:
        result = pandas.DataFrame(columns=[by, "term", "score", "mean_group", "mean_rest", "n_answers"])
    if answers.empty:
        return result
    vectorizer = _vectorizer(min_answers)
    try:
        weights = vectorizer.fit_transform(answers["text"])
    except ValueError:  # no term is used by min_answers answers: nothing to show
        return result
    vocabulary = vectorizer.get_feature_names_out()
    if not columns:
        table = pandas.DataFrame(
            {
                "term": vocabulary,
                "score": numpy.asarray(weights.mean(axis=0)).ravel(),
                "n_answers": numpy.asarray((weights > 0).sum(axis=0)).ravel(),
            }
        )
        return table.sort_values(["score", "term"], ascending=[False, True]).head(top).reset_index(drop=True)
    k = survey.min_group_size if k is None else k
    groups = answers[by]
    sizes = groups.value_counts()
    tables = []
    for group in sorted(sizes.index[(sizes >= k) & (sizes.index != "")]):
        inside = groups.eq(group).to_numpy()
        table = pandas.DataFrame(
            {
                by: group,
                "term": vocabulary,
                "mean_group": numpy.asarray(weights[inside].mean(axis=0)).ravel(),
                "mean_rest": numpy.asarray(weights[~inside].mean(axis=0)).ravel() if (~inside).any() else 0.0,
                "n_answers": numpy.asarray((weights[inside] > 0).sum(axis=0)).ravel(),
            }
        )
        table["score"] = table["mean_group"] - table["mean_rest"]
        table = table.loc[table["score"].gt(0) & table["n_answers"].ge(min_answers)]
        tables.append(table.sort_values(["score", "term"], ascending=[False, True]).head(top))
    if not tables:
        return result
    return pandas.concat(tables, ignore_index=True)[list(result.columns)]


def suggest_themes(
    *, answer: Answer, coder: AbstractBaseUser | None = None, top: int = 3
) -> list[tuple[Theme, float]]:
    """Up to ``top`` themes the text of ``answer`` most resembles, best first, with their scores.

    The vectorizer is fitted on the submitted answers to the answer's question. A theme's profile
    is the centroid (mean) of the tf-idf vectors of the distinct passages coded with it on the
    *other* answers to the question — by anyone, or by ``coder`` only — and its score is the
    cosine similarity between the answer's vector and that centroid. A theme is suggested only
    when it has at least ``MIN_PASSAGES`` (2) coded passages and a score of at least
    ``MIN_SIMILARITY`` (0.1): below that, answer and passages share hardly more than a word.
    Three queries, whatever the number of answers.
    """
    texts = dict(
        Answer.objects.filter(
            question_id=answer.question_id, response__status=Response.Status.SUBMITTED
        ).values_list("pk", "text")
    )
    texts[answer.pk] = answer.text
    segments = CodedSegment.objects.filter(
        answer__question_id=answer.question_id,
        answer__response__status=Response.Status.SUBMITTED,
        themes__isnull=False,
    ).exclude(answer=answer)
    if coder is not None:
        segments = segments.filter(coder=coder)
    coded = pandas.DataFrame.from_records(
        list(segments.values_list("answer_id", "start", "end", "themes")),
        columns=["answer", "start", "end", "theme"],
    ).drop_duplicates()
    passages = coded.groupby("theme").size()
    coded = coded.loc[coded["theme"].isin(passages.index[passages >= MIN_PASSAGES])]
    if coded.empty or not answer.text.strip():
        return []
    vectorizer = _vectorizer()
    try:
        vectorizer.fit([text for text in texts.values() if text.strip()])
    except ValueError:  # every answer is stop words only
        return []
    passage_vectors = vectorizer.transform(
        [
            texts[pk][start:end]
            for pk, start, end in zip(coded["answer"], coded["start"], coded["end"], strict=True)
        ]
    )
    theme_ids = coded["theme"].to_numpy()
    ordered = sorted(set(theme_ids))
    centroids = numpy.vstack(
        [numpy.asarray(passage_vectors[theme_ids == theme].mean(axis=0)).ravel() for theme in ordered]
    )
    norms = numpy.linalg.norm(centroids, axis=1)
    target = vectorizer.transform([answer.text]).toarray().ravel()
    scores = numpy.divide(centroids @ target, norms, out=numpy.zeros(len(ordered)), where=norms > 0)
    ranked = [
        (theme, float(score))
        for score, theme in sorted(zip(scores, ordered, strict=True), key=lambda pair: -pair[0])
        if score >= MIN_SIMILARITY
    ][:top]
    themes = Theme.objects.in_bulk([theme for theme, _score in ranked])
    return [(themes[theme], score) for theme, score in ranked]
