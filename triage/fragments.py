"""Parts of pages that depend on the rulebook alone, rendered once per process.

A page like the result is mostly rule text: each type's "what a doctor may
do", treatments and sources, the help lines, the disclaimer, the footer's
crisis lines. Those parts are macros in ``templates/macros/rule_fragments.html``,
which is never imported with a page's context, so they cannot see the answers
or the assessment; templates call them through the ``fragment(name, *ids)``
global, whose arguments are rule ids (a type id, help-line ids) or a variant
named here, each checked against the rulebook before anything is looked up
or kept. The macro gets the rule objects for those ids, found in the rulebook
here, never an object from the page. So the cache key (``render_cache.cached_fragment``)
and the HTML kept hold rule text only (tests/prod/test_render_cache.py checks both).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, has_request_context
from markupsafe import Markup

from triage import journey, render_cache
from triage.rulebook import Rulebook
from triage.rulebook.models import HelpLine

TEMPLATE = "macros/rule_fragments.html"

# The disclaimer's variants: (short, inside the page's content).
DISCLAIMERS = {"short": (True, False), "full": (False, False), "in_content": (False, True)}


def layout_lines(rulebook: Rulebook) -> tuple[tuple[HelpLine, ...], tuple[HelpLine, ...]]:
    """The emergency lines and the other crisis lines (the footer's), as every page shows them."""
    emergency = rulebook.emergency_lines
    return emergency, tuple(line for line in rulebook.crisis_lines if line not in emergency)


# The resolvers find the rule objects for ids that ``_check`` has already accepted.


def _hair_type(rulebook: Rulebook, type_id: str) -> tuple[Any, ...]:
    t = rulebook.type_by_id[type_id]
    return (t, rulebook.pictures_for(t.picture) if t.picture else None)


def _help_lines(rulebook: Rulebook, *ids: str) -> tuple[Any, ...]:
    lines = {line.id: line for line in rulebook.help_lines}
    return (tuple(lines[i] for i in ids),)


def _disclaimer(rulebook: Rulebook, variant: str) -> tuple[Any, ...]:
    return (*DISCLAIMERS[variant], layout_lines(rulebook)[0])


def _crisis_footer(rulebook: Rulebook) -> tuple[Any, ...]:
    return (layout_lines(rulebook)[1],)


# Each fragment (a macro of TEMPLATE): the rule objects its macro takes, from its ids.
RESOLVERS: dict[str, Callable[..., tuple[Any, ...]]] = {
    "type_heading": _hair_type,
    "type_details_head": _hair_type,
    "type_details_tail": _hair_type,
    "type_summary_details": _hair_type,
    "help_lines": _help_lines,
    "disclaimer": _disclaimer,
    "crisis_footer": _crisis_footer,
}


def _check(rulebook: Rulebook, name: str, ids: tuple[object, ...]) -> None:
    """Every id is a rule id (or variant) this fragment takes: never anything else in a key."""
    if RESOLVERS.get(name) is _hair_type:
        ok = len(ids) == 1 and isinstance(ids[0], str) and ids[0] in rulebook.type_by_id
    elif RESOLVERS.get(name) is _help_lines:
        known = {line.id for line in rulebook.help_lines}
        ok = all(isinstance(i, str) and i in known for i in ids)
    elif RESOLVERS.get(name) is _disclaimer:
        ok = len(ids) == 1 and isinstance(ids[0], str) and ids[0] in DISCLAIMERS
    else:
        ok = name in RESOLVERS and not ids
    if not ok:
        raise KeyError(f"not rule ids for fragment {name!r}: {ids!r}")


def fragment(name: str, *ids: str) -> Markup:
    """The fragment ``name`` for these rule ids: rendered once per process, then from memory."""
    rulebook = journey.rulebook()
    _check(rulebook, name, ids)

    def render() -> str:
        # The macro's arguments: rule objects found by their ids, here, on a miss only.
        macro = getattr(current_app.jinja_env.get_template(TEMPLATE).module, name)
        return str(macro(*RESOLVERS[name](rulebook, *ids)))

    if not has_request_context():  # no script root to key URLs by: rendered each time
        return Markup(render())
    return Markup(render_cache.cached_fragment((name, *ids), render))
