"""Flesch-Kincaid grade of patient-facing text (a plain implementation, no dependency).

grade = 0.39 * words per sentence + 11.8 * syllables per word - 15.59

Syllables are counted with the usual heuristic (groups of vowels, a silent final
"e" dropped, at least one per word), which is close to what readability tools
report for ordinary English.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"[.!?:;]+(?=\s|$)")


def syllables(word: str) -> int:
    w = word.lower().replace("'", "")
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", w)))


def grade(text: str) -> float:
    """The Flesch-Kincaid grade level of ``text``."""
    text = re.sub(r"\([^)]*\)", lambda m: m.group(0)[1:-1], text)  # brackets read as part of the sentence
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len(_SENTENCE_END.findall(text.strip() + ("" if text.strip()[-1:] in ".!?" else "."))))
    return 0.39 * len(words) / sentences + 11.8 * sum(syllables(w) for w in words) / len(words) - 15.59


def passages(rulebook) -> list[tuple[str, str]]:
    """Every patient-facing passage of the rulebook, as a person reads it on one page.

    Lists (a type's reasons, what a doctor may do, treatments; a level's steps)
    are read together, as they are shown, so that a short item such as "Sometimes
    surgery." is not graded as a text of its own.
    """
    found: list[tuple[str, str]] = []
    for flag in rulebook.red_flags:
        found.append((f"red flag {flag.id}", flag.message))
        if flag.what_to_do:
            found.append((f"red flag {flag.id}: what to do", " ".join(flag.what_to_do)))
    found += [(f"care note {note.id}", note.message) for note in rulebook.care_notes]
    for level in rulebook.levels:
        found.append((f"care level {level.id}", " ".join((level.meaning, *level.what_to_do))))
    found.append(("questions for the doctor", " ".join(q.text for q in rulebook.care.ask_the_doctor)))
    for t in rulebook.types:
        found.append((f"type {t.id}: summary", t.summary))
        if t.reassurance:
            found.append((f"type {t.id}: reassurance", t.reassurance))
        if t.ask_the_doctor:
            found.append((f"type {t.id}: questions for the doctor", " ".join(t.ask_the_doctor)))
        found.append((f"type {t.id}: reasons", " ".join(e.because for e in t.evidence)))
        for key in ("doctor_may", "treatments"):
            items = getattr(t, key)
            if items:
                found.append((f"type {t.id}: {key}", " ".join(s if s.rstrip()[-1:] in ".!?" else s + "." for s in items)))
    for q in rulebook.questions:
        hints = " ".join(o.hint for o in q.options if o.hint)
        found.append((f"question {q.id}", " ".join(x for x in (q.text, q.hint or "", hints) if x)))
    return found
