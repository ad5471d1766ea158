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


# -- guest lessons and company visits ------------------------------------------------

LEVELS_MBO = ["mbo2", "mbo3", "mbo4"]
LEVELS_VO = ["vmbo", "havo", "vwo"]
# topic, kind, where, how often, levels, reach (km), description, skills
GUEST_OFFERS = [
    (
        "Lassen in de praktijk: van tekening tot las",
        "guest_lesson",
        ["school", "learning_location"],
        "term",
        LEVELS_MBO,
        25,
        "Een lasser en de werkvoorbereider laten met echte werkstukken zien hoe een WPS, "
        "een tekening en een goede MIG/MAG-las samenhangen. Met een proefstuk om te "
        "beoordelen.",
        ["mig-mag-lassen", "wps-lezen", "lasnaden-beoordelen"],
    ),
    (
        "Rondleiding: een dag in onze CNC-werkplaats",
        "company_visit",
        ["company"],
        "month",
        [*LEVELS_VO, "mbo2"],
        30,
        "Een ochtend in de werkplaats: hoe een order van tekening via programma en "
        "instellen een serie gefreesde onderdelen wordt. Veiligheidsschoenen liggen klaar.",
        ["cnc-frezen", "cnc-machine-instellen", "technisch-tekening-lezen"],
    ),
    (
        "PLC's en robots: hoe een productielijn denkt",
        "guest_lesson",
        ["school", "learning_location"],
        "on_request",
        ["mbo3", "mbo4", "hbo"],
        35,
        "Een automatiseerder neemt een kleine PLC-opstelling mee en laat de klas een "
        "storing zoeken in een echte besturing.",
        ["plc-programmeren", "plc-storingzoeken", "robotprogrammering"],
    ),
    (
        "Onderhoud aan de lijn: storingen zoeken met een monteur",
        "guest_lesson",
        ["school"],
        "once",
        LEVELS_MBO,
        20,
        "Een onderhoudsmonteur vertelt over zijn werk en laat de klas met schema's en "
        "meetinstrumenten een storing in een pneumatische opstelling opsporen.",
        ["pneumatiek", "elektrisch-meten", "mechanische-montage"],
    ),
]


@transaction.atomic
def demo_guest_lessons_create() -> int:
    """Guest-lesson offers from demo companies, and requests of the demo schools in
    each state a page shows: given last month, planned, and waiting for an answer.
    Created once (the offers' topics are the key); returns how many offers."""
    from accounts.models import Membership, Role
    from learning.models import GuestOffer, GuestRequest, GuestSlot

    if GuestOffer.objects.filter(topic=GUEST_OFFERS[0][0]).exists():
        return 0
    companies = list(
        Organisation.objects.filter(kind=OrganisationKind.COMPANY, verified_at__isnull=False)
        .exclude(slug="metaalwerk-de-linge")
        .order_by("pk")[: len(GUEST_OFFERS) - 1]
    )
    demo = Organisation.objects.filter(slug="metaalwerk-de-linge").first()
    if demo is None:
        return 0
    places = {p.name.casefold(): p for p in Place.objects.all()}
    woerden = places.get("woerden") or Place.objects.first()
    skills = {s.slug: s for s in Skill.objects.all()}
    offers = []
    for company, row in zip([demo, *companies], GUEST_OFFERS, strict=False):
        topic, kind, venues, frequency, levels, reach, text, taught = row
        offer = GuestOffer.objects.create(
            company=company,
            format=kind,
            topic=topic,
            description=text,
            levels=levels,
            venues=venues,
            frequency=frequency,
            place=places.get((company.municipality or "").casefold(), woerden),
            reach_km=reach,
            pupils_max=30,
        )
        offer.skills.set([skills[s] for s in taught if s in skills])
        offers.append(offer)
    counsellors = {
        m.user.email: (m.user, m.organisation)
        for m in Membership.objects.filter(
            role=Role.COUNSELLOR, user__email__endswith="@demo.maakmatch.nl"
        ).select_related("user", "organisation")
    }
    dirk = counsellors.get("decaan@demo.maakmatch.nl")
    mira = counsellors.get("mentor@demo.maakmatch.nl")
    if dirk is None or mira is None:
        return len(offers)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)

    def request(who, offer, topic, class_name, level, pupils, status, **extra):
        user, school = who
        made = GuestRequest.objects.create(
            organisation=school,
            requested_by=user,
            format=offer.format,
            topic=topic,
            class_name=class_name,
            level=level,
            pupils=pupils,
            venues=offer.venues[:1],
            place=places.get((school.municipality or "").casefold(), woerden),
            offer=offer,
            status=status,
            sent_at=now - dt.timedelta(days=40),
            **extra,
        )
        made.skills.set(offer.skills.all())
        return made

    given_at = timezone.localtime(now - dt.timedelta(days=30)).replace(hour=10)
    given = request(
        dirk,
        offers[0],
        "Lassen voor EMM3A",
        "EMM3A",
        "mbo3",
        22,
        "given",
        given_at=given_at,
        pupils_reached=21,
        answered_at=given_at,
    )
    GuestSlot.objects.create(
        request=given,
        starts_at=given_at,
        chosen_at=given_at,
        ends_at=given_at + dt.timedelta(hours=2),
        location="Lokaal T1.04",
    )
    visit = offers[min(1, len(offers) - 1)]  # a region with one company offers one
    planned_at = timezone.localtime(now + dt.timedelta(days=21)).replace(hour=9)
    planned = request(
        mira,
        visit,
        "Bedrijfsbezoek 3KB-A",
        "3KB-A",
        "vmbo",
        18,
        "planned",
        answered_at=now,
        sequence=1,
    )
    GuestSlot.objects.create(
        request=planned,
        starts_at=planned_at,
        chosen_at=now,
        ends_at=planned_at + dt.timedelta(hours=3),
        location=f"{visit.company.name}, {visit.place.name}",
    )
    request(
        dirk,
        offers[0],
        "Lasgastles voor EMM2B",
        "EMM2B",
        "mbo2",
        20,
        "sent",
        note="De klas last sinds september; graag iets over lasnaden beoordelen.",
    )
    return len(offers)
