"""Skill proposals from a text, for the opening and profile editors.

The engine's finder reads the description (or "about me") and proposes taxonomy
skills; the page shows them as tick boxes. Only the ticked ones are added, when
the author saves: nothing is added unasked.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from marketplace import selectors as marketplace_selectors
from marketplace.models import Skill
from matching import services as matching_services
from matching.services import SkillProposal
from web.forms import ID_DIGITS_MAX

TEXT_FIELDS = ("title", "headline", "description", "about")


def proposals_for(
    request: HttpRequest, terms: dict[str, Skill] | None = None
) -> list[SkillProposal]:
    """Proposals for the posted text, leaving out the skills already in the rows.
    An editor passes the term map it already read."""
    text = "\n".join(request.POST.get(name, "") for name in TEXT_FIELDS)
    terms = marketplace_selectors.skill_by_term() if terms is None else terms
    chosen = [
        terms[value.strip().casefold()].pk
        for key, value in request.POST.items()
        if key.startswith("skills-")
        and key.endswith("-skill")
        and value.strip().casefold() in terms
    ]
    return matching_services.skill_proposals(text=text, exclude=chosen)


def proposed_skills_picked(request: HttpRequest) -> list:
    """The proposals the author ticked (unknown or malformed ids are ignored)."""
    ids = {
        int(v)
        for v in request.POST.getlist("proposed_skill")
        if v.isascii() and v.isdigit() and len(v) <= ID_DIGITS_MAX
    }
    return marketplace_selectors.skills_by_ids(ids)


@login_required
@require_GET
def skill_options(request: HttpRequest) -> HttpResponse:
    """The htmx endpoint for a large taxonomy: the names matching what is typed
    in a skill field (sent under the field's own name), as ``<option>``s."""
    typed = next((v for k, v in request.GET.items() if k == "q" or k.endswith("-skill")), "")
    names = marketplace_selectors.skill_names_matching(typed)
    return render(request, "web/_skill_options.html", {"names": names})


@login_required
@require_POST
def skill_proposals(request: HttpRequest) -> HttpResponse:
    """The htmx endpoint: the proposals block for the text in the posted form."""
    return render(request, "web/_skill_proposals.html", {"proposals": proposals_for(request)})
