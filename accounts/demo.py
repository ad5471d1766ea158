"""Demo organisations and logins for ``make run``.

The schools and learning locations are the real partners of the regional deal
(``shared/seed``); their BRIN codes here are placeholders (``00..``), not the
real ones. Companies and people are fictional.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import EducationLevel, Membership, Organisation, OrganisationKind, Role, User

DEMO_PASSWORD = "Demo-wachtwoord-2026"  # noqa: S105 - printed for local demo logins only

E = EducationLevel
SCHOOLS = [
    # name, placeholder BRIN, municipality, levels offered
    ("ROC Midden-Nederland", "00AA", "", [E.MBO_1, E.MBO_2, E.MBO_3, E.MBO_4]),
    ("MBO Rijnland", "00AB", "", [E.MBO_1, E.MBO_2, E.MBO_3, E.MBO_4]),
    ("Veenlanden College", "00AC", "De Ronde Venen", [E.VMBO, E.HAVO, E.VWO]),
    ("Minkema College", "00AD", "Woerden", [E.VMBO, E.HAVO, E.VWO]),
    ("Kalsbeek College", "00AE", "Woerden", [E.VMBO, E.HAVO, E.VWO]),
    ("Wellant College", "00AF", "", [E.VMBO, E.MBO_2, E.MBO_3, E.MBO_4]),
]
LEARNING_LOCATIONS = [
    ("Vakcentrum voor de Maakindustrie", ""),
    ("TechnoHub Woerden", "Woerden"),
    ("MakerSpace Veenlanden College", "De Ronde Venen"),
]
COMPANY = {
    "name": "Metaalwerk De Linge B.V. (fictief)",
    "kvk_number": "99000001",
    "sector": "metal",
    "size_class": "small",
    "municipality": "Woerden",
}


def _organisation(
    kind: str, name: str, slug: str, verified: bool = False, **fields: object
) -> Organisation:
    organisation, _created = Organisation.objects.update_or_create(
        slug=slug,
        defaults={"kind": kind, "name": name, **fields},
        # Set once: a later run must not move the verification time.
        create_defaults={
            "kind": kind,
            "name": name,
            **fields,
            "verified_at": timezone.now() if verified else None,
        },
    )
    return organisation


def _person(
    email: str,
    full_name: str,
    *,
    role: str,
    organisation: Organisation | None,
    date_of_birth: dt.date | None = None,
    is_staff: bool = False,
    class_name: str = "",
) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            full_name=full_name,
            date_of_birth=date_of_birth,
            is_staff=is_staff,
            is_superuser=is_staff,
        )
    membership, _created = Membership.objects.get_or_create(
        user=user, role=role, organisation=organisation
    )
    if class_name and membership.class_name != class_name:
        membership.class_name = class_name
        membership.save(update_fields=["class_name"])
    # The demo's staff logins are their organisation's admins (API keys).
    admin = role in (Role.COUNSELLOR, Role.COMPANY_MEMBER)
    if admin and not membership.is_admin:
        membership.is_admin = True
        membership.save(update_fields=["is_admin"])
    return user


# The demo login students' classes, as a class list would say.
DEMO_CLASSES = {"student@demo.maakmatch.nl": "EMM3A", "leerling@demo.maakmatch.nl": "3KB-A"}


@transaction.atomic
def demo_accounts_create() -> list[tuple[str, str]]:
    """Create (or refresh) the demo organisations and logins; return (email, what) pairs."""
    today = timezone.localdate()
    region = _organisation(OrganisationKind.REGION, "Regio Utrecht-West", "regio-utrecht-west")
    schools = {
        name: _organisation(
            OrganisationKind.SCHOOL,
            name,
            f"school-{brin.lower()}",
            brin_code=brin,
            municipality=municipality,
            education_levels=[level.value for level in levels],
        )
        for name, brin, municipality, levels in SCHOOLS
    }
    locations = {
        name: _organisation(
            OrganisationKind.LEARNING_LOCATION, name, f"leerlocatie-{i}", municipality=municipality
        )
        for i, (name, municipality) in enumerate(LEARNING_LOCATIONS, start=1)
    }
    company = _organisation(
        OrganisationKind.COMPANY,
        COMPANY["name"],
        "metaalwerk-de-linge",
        kvk_number=COMPANY["kvk_number"],
        sector=COMPANY["sector"],
        size_class=COMPANY["size_class"],
        municipality=COMPANY["municipality"],
        sbb_recognised=True,
        sbb_recognised_on=dt.date(2024, 9, 1),
        verified=True,
    )

    def born(years: int) -> dt.date:
        return today.replace(year=today.year - years, day=min(today.day, 28))

    roc, veenlanden = schools["ROC Midden-Nederland"], schools["Veenlanden College"]
    technohub = locations["TechnoHub Woerden"]
    people = [
        # email, name, role, organisation, date of birth, admin staff
        ("admin@demo.maakmatch.nl", "Beheerder Demo", Role.COORDINATOR, region, None, True),
        (
            "coordinator@demo.maakmatch.nl",
            "Carla Coördinator",
            Role.COORDINATOR,
            region,
            None,
            False,
        ),
        ("decaan@demo.maakmatch.nl", "Dirk Decaan", Role.COUNSELLOR, roc, None, False),
        ("mentor@demo.maakmatch.nl", "Mira Mentor", Role.COUNSELLOR, veenlanden, None, False),
        ("coach@demo.maakmatch.nl", "Cas Coach", Role.COUNSELLOR, technohub, None, False),
        ("student@demo.maakmatch.nl", "Sam Student", Role.STUDENT, roc, born(18), False),
        ("leerling@demo.maakmatch.nl", "Lotte Leerling", Role.STUDENT, veenlanden, born(14), False),
        (
            "zijinstromer@demo.maakmatch.nl",
            "Zeynep Zij-instromer",
            Role.STUDENT,
            None,
            born(34),
            False,
        ),
        ("bedrijf@demo.maakmatch.nl", "Bram Bedrijf", Role.COMPANY_MEMBER, company, None, False),
    ]
    logins = []
    for email, name, role, organisation, date_of_birth, staff in people:
        _person(
            email,
            name,
            role=role,
            organisation=organisation,
            date_of_birth=date_of_birth,
            is_staff=staff,
            class_name=DEMO_CLASSES.get(email, ""),
        )
        where = organisation.name if organisation else "—"
        logins.append((email, f"{Role(role).label} · {where}" + (" · admin" if staff else "")))
    return logins
