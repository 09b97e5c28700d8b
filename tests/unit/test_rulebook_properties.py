"""Property tests over every valid answer set of the fixture rulebook."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers.rules import RULES_MIN
from triage.rulebook import answer_specs, clean_answers, evaluate, load_rulebook, rewalk, validate_answers, walk

RULEBOOK = load_rulebook(RULES_MIN)
RANK = RULEBOOK.level_rank


def answer_for(question):
    if question.kind == "number":
        return st.one_of(
            st.integers(int(question.min), int(question.max)),
            st.floats(question.min, question.max, allow_nan=False),
        )
    if question.kind == "one":
        return st.sampled_from(question.option_values)
    exclusive = [o.value for o in question.options if o.exclusive]
    others = [o.value for o in question.options if not o.exclusive]
    return st.one_of(
        st.sampled_from(exclusive).map(lambda v: [v]),
        st.lists(st.sampled_from(others), min_size=1, unique=True),
    )


valid_answers = st.fixed_dictionaries({}, optional={q.id: answer_for(q) for q in RULEBOOK.questions})


@settings(max_examples=300, deadline=None)
@given(valid_answers)
def test_every_valid_answer_set_evaluates(answers):
    assert validate_answers(RULEBOOK, answers) == []
    a = evaluate(RULEBOOK, answers)
    assert len(a.suggestions) <= 3
    assert a.unclear == (not any(s.reached for s in a.all_scores))
    for s in a.all_scores:
        assert s.score == sum(h.points for h in s.evidence)
    scores = [(s.score, s.score - s.threshold) for s in a.suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(s.reached for s in a.suggestions)
    assert a.care_level in RANK
    for level in [f.level for f in a.red_flags] + [s.care_level for s in a.suggestions]:
        assert RANK[a.care_level] <= RANK[level]
    # the flow helpers agree with each other
    pruned = walk(RULEBOOK.questions, answers).answers
    assert validate_answers(RULEBOOK, pruned) == []
    following = walk(RULEBOOK.questions, pruned).gap
    assert following is None or following.id not in pruned


@st.composite
def with_red_flag(draw):
    answers = draw(valid_answers)
    flag = draw(st.sampled_from(["kerion", "unwell_child"]))
    changed = dict(answers)
    if flag == "kerion":
        scalp = [v for v in answers.get("scalp", []) if v not in ("none", "not_sure")]
        changed["scalp"] = scalp + ["boggy_swelling"] if "boggy_swelling" not in scalp else scalp
    else:
        changed["age"] = draw(st.integers(0, 11))
        changed["fever"] = "yes"
    return answers, changed, flag


@settings(max_examples=300, deadline=None)
@given(with_red_flag())
def test_adding_a_red_flag_answer_never_lowers_the_care_level(case):
    before, after, flag = case
    assert validate_answers(RULEBOOK, after) == []
    old, new = evaluate(RULEBOOK, before), evaluate(RULEBOOK, after)
    assert flag in {f.id for f in new.red_flags}
    assert RANK[new.care_level] <= RANK[old.care_level]


@settings(max_examples=200, deadline=None)
@given(valid_answers)
def test_same_answers_same_assessment(answers):
    first = evaluate(RULEBOOK, answers)
    assert evaluate(RULEBOOK, answers) == first
    reordered = dict(reversed(list(answers.items())))
    as_tuples = {k: tuple(v) if isinstance(v, list) else v for k, v in answers.items()}
    assert evaluate(RULEBOOK, reordered) == first
    assert evaluate(RULEBOOK, as_tuples) == first
    assert evaluate(RULEBOOK, answers).as_json() == first.as_json()


# Anything at all, and near misses: option values in the wrong shape, numbers out of range.
ANYTHING = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)


def near_answer(question):
    values = st.sampled_from(question.option_values) if question.option_values else st.text(max_size=4)
    return st.one_of(answer_for(question), ANYTHING, values, st.lists(values, max_size=6))


RAW_ANSWERS = st.fixed_dictionaries({}, optional={q.id: near_answer(q) for q in RULEBOOK.questions})
SPECS = answer_specs(RULEBOOK.questions)


@settings(max_examples=300, deadline=None)
@given(RAW_ANSWERS)
def test_clean_answers_keeps_only_answers_that_validate_answers_accepts(raw):
    """The web app's fast cleaner and the CLI's validator agree: what one keeps, the other accepts."""
    kept = clean_answers(SPECS, raw)
    assert set(kept) <= set(raw)
    assert validate_answers(RULEBOOK, kept) == []
    for qid, value in raw.items():
        if qid not in kept and not validate_answers(RULEBOOK, {qid: value}):
            # Dropped but fine for the validator: "not answered" (None), or a number the
            # forms never save (not whole).
            if value is None:
                continue
            assert RULEBOOK.question_by_id[qid].kind == "number" and float(value) != int(value)


REAL = load_rulebook()
REAL_ANSWERS = st.fixed_dictionaries({}, optional={q.id: answer_for(q) for q in REAL.questions})


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([RULEBOOK, REAL]).flatmap(
    lambda rb: st.tuples(
        st.just(rb),
        RAW_ANSWERS if rb is RULEBOOK else REAL_ANSWERS,
        st.sampled_from(rb.questions).flatmap(lambda q: st.tuples(st.just(q.id), answer_for(q))),
    )
))
def test_rewalk_after_one_answer_is_a_whole_walk(case):
    """The POST's one pass from the changed question on finds what a whole second walk finds."""
    rulebook, raw, (qid, value) = case
    before = walk(rulebook.questions, clean_answers(answer_specs(rulebook.questions), raw))
    expected = walk(rulebook.questions, {**before.answers, qid: value})
    found = rewalk(rulebook.questions, before, qid, value)
    assert found.path == expected.path
    assert found.answers == expected.answers and list(found.answers) == list(expected.answers)
    assert found.gap == expected.gap
