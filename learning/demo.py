"""Demo courses at the deal's three learning locations (and one school): believable
and fictional, like the rest of the demo region. Safe to run again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind
from learning.models import Audience, Course, CourseSkill
from marketplace.models import Place, Skill

A = Audience
OOM = (
    "Werk je bij een metaalbedrijf? Vraag het opleidingsfonds van je sector (zoals OOM "
    "voor het mkb-metaal) of en hoe het deze cursus vergoedt."
)
SLIM = (
    "Mkb-bedrijven kunnen met de SLIM-regeling subsidie aanvragen voor leren en "
    "ontwikkelen in hun bedrijf; check de voorwaarden bij RVO."
)
# provider, title, place, days from today (None: on request), hours, cost, seats,
# audiences, funding, description, skills (slug, level reached)
COURSES = [
    (
        "Vakcentrum voor de Maakindustrie",
        "CNC-frezen voor beginners",
        "woerden",
        21,
        40,
        "895.00",
        10,
        [A.EMPLOYEE, A.CAREER_CHANGER],
        OOM,
        "Vijf dagen aan de freesbank: tekening lezen, gereedschap inmeten, een eenvoudig "
        "programma schrijven en zelf een werkstuk maken.",
        [("cnc-frezen", 2), ("technisch-tekening-lezen", 2), ("gereedschap-inmeten", 1)],
    ),
    (
        "Vakcentrum voor de Maakindustrie",
        "MIG/MAG-lassen met certificaat",
        "woerden",
        35,
        80,
        "1450.00",
        8,
        [A.EMPLOYEE, A.CAREER_CHANGER],
        OOM,
        "Lassen in alle posities op plaat en buis, afgesloten met een lascertificaat. "
        "Voor wie al wat ervaring heeft of snel wil leren.",
        [("mig-mag-lassen", 3), ("lasnaden-beoordelen", 2), ("lascertificaat", 2)],
    ),
    (
        "Vakcentrum voor de Maakindustrie",
        "VCA Basis in één dag",
        "woerden",
        14,
        8,
        "195.00",
        16,
        [A.EMPLOYEE, A.CAREER_CHANGER, A.PUPIL],
        SLIM,
        "Veilig werken in de techniek: de stof en het examen voor het diploma VCA Basis.",
        [("vca-basis", 2), ("lmra", 1), ("pbm-gebruiken", 2)],
    ),
    (
        "TechnoHub Woerden",
        "PLC-programmeren met TIA Portal",
        "woerden",
        28,
        32,
        "1195.00",
        12,
        [A.EMPLOYEE, A.CAREER_CHANGER],
        SLIM,
        "Omscholing voor monteurs en operators: een installatie programmeren in Siemens "
        "TIA Portal, van ladder tot storingzoeken aan een echte opstelling.",
        [("plc-programmeren", 2), ("siemens-tia-portal", 2), ("plc-storingzoeken", 2)],
    ),
    (
        "TechnoHub Woerden",
        "Preventief onderhoud en storingzoeken",
        "woerden",
        None,
        24,
        "750.00",
        None,
        [A.EMPLOYEE, A.CAREER_CHANGER],
        OOM,
        "Op aanvraag, ook in je eigen bedrijf: onderhoud plannen, lagers en riemen "
        "controleren, systematisch storingzoeken en rapporteren.",
        [("preventief-onderhoud", 2), ("storingzoeken", 2), ("onderhoudsrapportage", 1)],
    ),
    (
        "TechnoHub Woerden",
        "Pneumatiek en hydrauliek in de praktijk",
        "woerden",
        49,
        16,
        "495.00",
        12,
        [A.EMPLOYEE, A.CAREER_CHANGER, A.PUPIL],
        "",
        "Schema's lezen en bouwen op het leerbord, met ventielen, cilinders en pompen.",
        [("pneumatiek", 2), ("hydrauliek", 2)],
    ),
    (
        "MakerSpace Veenlanden College",
        "3D-printen en ontwerpen in Fusion 360",
        "de-ronde-venen",
        18,
        12,
        "0.00",
        14,
        [A.CAREER_CHANGER, A.PUPIL],
        "",
        "Vier avonden in de MakerSpace: van idee tot geprint onderdeel. Open voor "
        "leerlingen en zij-instromers die de techniek willen proeven.",
        [("fusion-360", 2), ("3d-printen", 2), ("3d-modelleren", 1)],
    ),
    (
        "MakerSpace Veenlanden College",
        "Technisch tekenen lezen voor zij-instromers",
        "de-ronde-venen",
        None,
        10,
        "0.00",
        None,
        [A.CAREER_CHANGER],
        "",
        "Op aanvraag: aanzichten, maten en toleranties leren lezen, de basis voor bijna "
        "elk technisch beroep.",
        [("technisch-tekening-lezen", 2), ("technisch-tekenen", 1)],
    ),
]


@transaction.atomic
def demo_courses_create() -> int:
    """Create the demo courses that are missing (by slug); returns how many."""
    providers = {
        o.name: o
        for o in Organisation.objects.filter(
            kind__in=[OrganisationKind.LEARNING_LOCATION, OrganisationKind.SCHOOL]
        )
    }
    places = {p.slug: p for p in Place.objects.all()}
    skills = {s.slug: s for s in Skill.objects.all()}
    today = timezone.localdate()
    made = 0
    for n, row in enumerate(COURSES, start=1):
        provider_name, title, place, days, hours, cost, seats, who, funding, text, taught = row
        provider, where = providers.get(provider_name), places.get(place)
        slug = f"demo-cursus-{n}"
        if provider is None or where is None or Course.objects.filter(slug=slug).exists():
            continue
        starts = None if days is None else today + dt.timedelta(days=days)
        course = Course.objects.create(
            provider=provider,
            slug=slug,
            title=title,
            description=text,
            place=where,
            on_request=starts is None,
            starts_on=starts,
            ends_on=None if starts is None else starts + dt.timedelta(days=max(hours // 8, 1) - 1),
            duration_hours=hours,
            cost_eur=Decimal(cost),
            seats=seats,
            audiences=[a.value for a in who],
            funding_note=funding,
            is_published=True,
        )
        CourseSkill.objects.bulk_create(
            CourseSkill(course=course, skill=skills[slug_], level=level)
            for slug_, level in taught
            if slug_ in skills
        )
        made += 1
    return made
