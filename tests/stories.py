"""People's answers, shared by the tests: each a person described in plain words.

The web tests post the answers as a form sends them (numbers as text); the browser
tests let ``Person`` pick each answer by its visible label.
"""

from __future__ import annotations

# A young adult with a sudden round smooth patch.
PATCH = {
    "age": "28",
    "sex": "female",
    "onset": "sudden",
    "duration": "lt_1m",
    "pattern": ["round_patches"],
    "scalp": ["none"],
    "other_hair": ["exclamation"],
    "events": ["none"],
    "hair_care": ["none"],
    "pulling": "no",
    "body": ["none"],
    "history": ["none"],
    "treatments": ["none"],
    "impact": ["not_much"],
}

# The browser journeys (tests/e2e).
NO_EXTRAS = {"body": ["none"], "history": ["none"], "impact": ["not_much"]}

SUDDEN_PATCH = {
    "age": 27, "sex": "male", "onset": "sudden", "duration": "lt_1m",
    "pattern": ["round_patches"], "scalp": ["none"], "other_hair": ["exclamation"],
    "events": ["none"], **NO_EXTRAS,
}

RECEDING_MAN = {
    "age": 31, "sex": "male", "onset": "years", "duration": "gt_12m",
    "pattern": ["temples_crown"], "shedding": "no_extra", "scalp": ["none"],
    "events": ["none"], **NO_EXTRAS, "history": ["family_pattern"],
}

AFTER_CHILDBIRTH = {
    "age": 32, "sex": "female", "onset": "sudden",
    "duration": "lt_1m", "pattern": ["all_over"], "shedding": "handfuls", "scalp": ["none"],
    "other_hair": ["none"], "events": ["childbirth"], **NO_EXTRAS, "body": ["recent_birth"],
}

CHILD_KERION = {
    "age": 6, "sex": "male", "onset": "sudden", "duration": "lt_1m",
    "pattern": ["scaly_patch"],
    "scalp": ["itch", "scaling", "pus", "boggy_swelling", "tender"], "other_hair": ["black_dots", "getting_bigger"],
    "events": ["none"], "body": ["fever", "neck_glands"], "history": ["ringworm_contact"],
    "impact": ["not_much"],
}

WOMAN_ANDROGEN = {
    "age": 26, "sex": "female", "onset": "months",
    "duration": "gt_12m", "pattern": ["widening_part"], "shedding": "more_roots", "scalp": ["none"],
    "events": ["none"], "texture": "straight", "body": ["irregular_periods", "acne", "excess_hair"], "history": ["none"],
    "impact": ["low_anxious"],
}

SELF_HARM = {**SUDDEN_PATCH, "pattern": ["many_patches"], "other_hair": ["eyebrows_all", "eyelashes"], "pulling": "no",
             "impact": ["low_anxious", "avoiding", "self_harm_thoughts"]}
