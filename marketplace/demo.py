"""A believable demo region, generated on demand (``manage.py seed_demo``).

The schools and learning locations are the deal's real partners (see
``accounts.demo``). Companies, openings and people are fictional. Generation is
deterministic: item *i* is always built from ``Random(i)``, so running again
creates nothing new, and a larger ``--students``/``--openings`` only adds rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import (
    EducationLevel,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    Sector,
    SizeClass,
    User,
)
from marketplace.models import (
    Importance,
    Opening,
    OpeningSkill,
    OpeningStatus,
    OpeningType,
    Place,
    Profile,
    ProfileSkill,
    Skill,
)

E = EducationLevel
T = OpeningType
COMPANY_COUNT = 64
BATCH = 2000

# Trade, sector, and the skill categories the trade leans on (main first).
TRADES: list[tuple[str, str, list[str]]] = [
    ("CNC-draaier", Sector.METAL, ["cnc", "metalworking", "quality"]),
    ("CNC-frezer", Sector.METAL, ["cnc", "metalworking", "cad_cam"]),
    ("Constructiebankwerker", Sector.METAL, ["metalworking", "welding", "safety"]),
    ("Plaatwerker", Sector.METAL, ["metalworking", "production", "quality"]),
    ("Lasser MIG/MAG", Sector.METAL, ["welding", "metalworking", "safety"]),
    ("Monteur machinebouw", Sector.MACHINERY, ["mechatronics", "metalworking", "maintenance"]),
    ("Servicemonteur", Sector.MACHINERY, ["maintenance", "mechatronics", "electrical"]),
    ("Tekenaar-constructeur", Sector.MACHINERY, ["cad_cam", "quality", "digital"]),
    ("Monteur voedingsmiddelenmachines", Sector.FOOD_MACHINES, ["mechatronics", "maintenance"]),
    ("Besturingstechnicus", Sector.FOOD_MACHINES, ["plc_automation", "electrical", "digital"]),
    ("Elektromonteur", Sector.ELECTRICAL, ["electrical", "safety", "installation"]),
    ("Paneelbouwer", Sector.ELECTRICAL, ["electrical", "production", "quality"]),
    ("PLC-programmeur", Sector.ELECTRICAL, ["plc_automation", "digital", "electrical"]),
    ("Installatiemonteur", Sector.INSTALLATION, ["installation", "electrical", "safety"]),
    ("Monteur warmtepompen", Sector.INSTALLATION, ["installation", "maintenance", "electrical"]),
    ("Operator spuitgieten", Sector.PLASTICS, ["plastics", "production", "quality"]),
    ("Procesoperator", Sector.PLASTICS, ["production", "quality", "plc_automation"]),
    ("Logistiek medewerker", Sector.LOGISTICS, ["logistics", "safety", "digital"]),
    ("Onderhoudsmonteur", Sector.MACHINERY, ["maintenance", "mechatronics", "safety"]),
    ("Meubelmaker CNC", Sector.WOOD, ["cnc", "production", "cad_cam"]),
]
SECTOR_TRADES: dict[str, list[int]] = defaultdict(list)
for _index, (_trade, _sector, _categories) in enumerate(TRADES):
    SECTOR_TRADES[_sector].append(_index)

COMPANY_WORDS = {
    Sector.METAL: ["Metaaltechniek", "Metaalbewerking", "Precisietechniek", "Staalbouw"],
    Sector.MACHINERY: ["Machinebouw", "Machinefabriek", "Engineering"],
    Sector.FOOD_MACHINES: ["Kaasmachines", "Procesmachines", "Food Equipment"],
    Sector.ELECTRICAL: ["Elektrotechniek", "Besturingstechniek", "Paneelbouw"],
    Sector.INSTALLATION: ["Installatietechniek", "Installaties", "Klimaattechniek"],
    Sector.PLASTICS: ["Kunststoffen", "Kunststoftechniek"],
    Sector.LOGISTICS: ["Logistiek", "Distributie"],
    Sector.WOOD: ["Houtbewerking", "Interieurbouw"],
}
FAMILY = [
    "Bakker",
    "Van Dijk",
    "De Graaf",
    "Verhoef",
    "Van Rijn",
    "Kok",
    "Hoogendoorn",
    "Van Vliet",
    "Schouten",
    "Boer",
    "Van der Linden",
    "Mulder",
    "Vermeulen",
    "Den Hartog",
    "Van Leeuwen",
    "Brouwer",
    "Kuijpers",
    "Van Wijk",
    "Rietveld",
    "Verkerk",
    "Lekkerkerker",
    "Oskam",
]
LANDSCAPE = [
    "Groene Hart",
    "Lange Linschoten",
    "Hollandse IJssel",
    "Vecht",
    "Kromme Mijdrecht",
    "Lek",
    "Oude Rijn",
    "Angstel",
    "Heuvel",
    "Polder",
]
FIRST = [
    "Sem",
    "Noah",
    "Liam",
    "Daan",
    "Finn",
    "Levi",
    "Luuk",
    "Bram",
    "Milan",
    "Jesse",
    "Thijs",
    "Ruben",
    "Stijn",
    "Mohamed",
    "Yusuf",
    "Ayoub",
    "Emre",
    "Mehmet",
    "Rayan",
    "Kofi",
    "Dewi",
    "Emma",
    "Julia",
    "Mila",
    "Sophie",
    "Tess",
    "Noor",
    "Fleur",
    "Lotte",
    "Sara",
    "Fatima",
    "Aya",
    "Yasmin",
    "Elif",
    "Zeynep",
    "Priya",
    "Chantal",
    "Anouk",
    "Iris",
    "Femke",
    "Jasper",
    "Koen",
    "Tim",
    "Wouter",
    "Jeroen",
    "Sanne",
    "Marloes",
    "Esra",
    "Nadia",
    "Dani",
]
LAST = [
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "El Amrani",
    "Yilmaz",
    "Kaya",
    "Bouzid",
    "Öztürk",
    "Ramdin",
    "Tjon",
    "Nguyen",
    "Kowalski",
    "van Leeuwen",
    "Willems",
    "Koster",
    "Prins",
    "Verbeek",
    "Hoekstra",
    "Postma",
    "Kramer",
]

MBO_PROGRAMMES: list[tuple[str, str, list[str]]] = [
    ("Monteur mechatronica", E.MBO_2, ["mechatronics", "electrical", "maintenance"]),
    ("Eerste monteur mechatronica", E.MBO_3, ["mechatronics", "plc_automation", "maintenance"]),
    ("Technicus engineering", E.MBO_4, ["cad_cam", "mechatronics", "digital"]),
    ("Allround lasser", E.MBO_3, ["welding", "metalworking", "safety"]),
    ("Verspaner", E.MBO_2, ["cnc", "metalworking", "quality"]),
    ("Allround verspaner", E.MBO_3, ["cnc", "cad_cam", "metalworking"]),
    ("Constructiewerker", E.MBO_2, ["metalworking", "welding", "safety"]),
    ("Monteur elektrotechnische installaties", E.MBO_2, ["electrical", "installation", "safety"]),
    ("Eerste monteur elektrotechnische installaties", E.MBO_3, ["electrical", "plc_automation"]),
    ("Monteur werktuigkundige installaties", E.MBO_2, ["installation", "maintenance"]),
    ("Logistiek medewerker", E.MBO_2, ["logistics", "safety", "digital"]),
    ("Operator", E.MBO_2, ["production", "plastics", "quality"]),
    ("Allround operator", E.MBO_3, ["production", "quality", "plc_automation"]),
    ("Middenkaderfunctionaris engineering", E.MBO_4, ["cad_cam", "quality", "plc_automation"]),
]
VO_PROGRAMMES: list[tuple[str, str, list[str]]] = [
    ("VMBO profiel Produceren, Installeren en Energie", E.VMBO, ["metalworking", "electrical"]),
    ("VMBO profiel Bouwen, Wonen en Interieur", E.VMBO, ["production", "cad_cam"]),
    ("HAVO profiel Natuur en Techniek", E.HAVO, ["digital", "cad_cam"]),
    ("VWO profiel Natuur en Techniek", E.VWO, ["digital", "plc_automation"]),
]
FORMER_JOBS = [
    "kok in de horeca",
    "vrachtwagenchauffeur",
    "verkoper in een bouwmarkt",
    "zorgmedewerker",
    "beveiliger",
    "productiemedewerker in een bakkerij",
    "administratief medewerker",
    "fietsenmaker",
    "militair bij de landmacht",
    "hovenier",
]
MBO_SCHOOLS = ["ROC Midden-Nederland", "MBO Rijnland", "Wellant College"]
VO_SCHOOLS = ["Veenlanden College", "Minkema College", "Kalsbeek College"]


@dataclass
class DemoCounts:
    companies: int
    openings: int
    students: int


def _skills_by_category() -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = defaultdict(list)
    for pk, category in Skill.objects.order_by("slug").values_list("pk", "category"):
        grouped[category].append(pk)
    if not grouped:
        raise RuntimeError("Load the skills taxonomy first: manage.py load_reference_data")
    return grouped


def _places() -> tuple[list[Place], list[Place]]:
    places = list(Place.objects.order_by("name"))
    if not places:
        raise RuntimeError("Load the places first: manage.py load_reference_data")
    region = [p for p in places if p.in_region]
    return region, [p for p in places if not p.in_region]


def _pick_skills(
    rng: random.Random, skills: dict[str, list[int]], categories: list[str], count: int
) -> list[int]:
    chosen: list[int] = []
    for i in range(count * 4):
        pool = skills.get(categories[min(i % (len(categories) + 1), len(categories) - 1)], [])
        if i % 4 == 3:
            pool = skills.get("soft", pool)
        if pool:
            pk = rng.choice(pool)
            if pk not in chosen:
                chosen.append(pk)
        if len(chosen) == count:
            break
    return chosen


def _companies_create(region: list[Place]) -> list[Organisation]:
    now = timezone.now()
    wanted = []
    for i in range(COMPANY_COUNT):
        rng = random.Random(f"company-{i}")
        sector = list(COMPANY_WORDS)[i % len(COMPANY_WORDS)]
        place = region[i % len(region)]
        owner = rng.choice(FAMILY) if rng.random() < 0.6 else rng.choice(LANDSCAPE)
        name = f"{owner} {rng.choice(COMPANY_WORDS[sector])}"
        recognised = rng.random() < 0.75
        wanted.append(
            Organisation(
                kind=OrganisationKind.COMPANY,
                slug=f"demo-bedrijf-{i:03d}",
                name=f"{name} (fictief)",
                description=(
                    f"{name} is een fictief demobedrijf in {place.name}: een familiebedrijf "
                    f"in de {Sector(sector).label} met vakmensen die graag nieuw talent opleiden."
                ),
                municipality=place.name,
                kvk_number=f"99{100000 + i:06d}",
                sector=sector,
                size_class=rng.choice(
                    [SizeClass.MICRO, SizeClass.SMALL, SizeClass.SMALL, SizeClass.MEDIUM]
                ),
                sbb_recognised=recognised,
                sbb_recognised_on=dt.date(2015 + i % 10, 1 + i % 12, 1) if recognised else None,
                verified_at=now if rng.random() < 0.92 else None,
            )
        )
    existing = set(
        Organisation.objects.filter(slug__startswith="demo-bedrijf-").values_list("slug", flat=True)
    )
    Organisation.objects.bulk_create([c for c in wanted if c.slug not in existing])
    companies = list(Organisation.objects.filter(slug__startswith="demo-bedrijf-").order_by("slug"))
    # Most companies train with one of the three learning locations.
    locations = list(
        Organisation.objects.filter(kind=OrganisationKind.LEARNING_LOCATION).order_by("slug")
    )
    if locations:
        ties = Organisation.learning_locations.through
        ties.objects.bulk_create(
            [
                ties(from_organisation=c, to_organisation=locations[i % len(locations)])
                for i, c in enumerate(companies)
                if i % 4
            ],
            ignore_conflicts=True,
        )
    return companies


def _opening_text(
    rng: random.Random, kind: str, trade: str, company: Organisation, place: Place
) -> tuple[str, str]:
    company_name = company.name.removesuffix(" (fictief)")
    if kind == T.BOL:
        title = f"Stage {trade}"
        intro = (
            f"Loop stage bij {company_name} in {place.name} en leer het vak van {trade.lower()}."
        )
    elif kind == T.BBL:
        title = f"Leerbaan {trade} (BBL)"
        intro = (
            f"Werken en leren tegelijk: vier dagen in onze werkplaats in {place.name}, "
            f"één dag naar school. Je groeit door tot volwaardig {trade.lower()}."
        )
    elif kind == T.JOB:
        title = trade
        intro = f"{company_name} zoekt een {trade.lower()} voor het team in {place.name}."
    elif kind == T.ORIENTATION:
        title = f"Snuffeldag: een dag meelopen als {trade.lower()}"
        intro = (
            f"Ontdek op een snuffeldag hoe het is om {trade.lower()} te zijn. "
            "Je kijkt mee in de werkplaats en mag zelf aan de slag."
        )
    else:
        title = f"Afstudeeropdracht {trade.lower()}: procesverbetering"
        intro = (
            f"Verbeter samen met onze {trade.lower()}s een stap in de productie "
            "en lever een onderbouwd advies op."
        )
    extras = [
        "We maken onderdelen en machines voor klanten in heel Europa.",
        "Je krijgt een vaste begeleider die alle tijd voor je neemt.",
        "Veiligheid staat bij ons voorop: je krijgt je eigen PBM's.",
        "Na afloop is er vaak een baan voor je.",
        "Goed bereikbaar met de fiets en het openbaar vervoer.",
        "Wij bieden een reiskostenvergoeding en een goede stagevergoeding.",
    ]
    return title, " ".join([intro, *rng.sample(extras, 3)])


def _openings_create(
    count: int,
    companies: list[Organisation],
    skills: dict[str, list[int]],
    region: list[Place],
    others: list[Place],
) -> None:
    existing = set(
        Opening.objects.filter(slug__startswith="demo-vacature-").values_list("slug", flat=True)
    )
    today, now = timezone.localdate(), timezone.now()
    openings: list[Opening] = []
    wanted_skills: dict[str, list[tuple[int, str, int]]] = {}
    for i in range(count):
        slug = f"demo-vacature-{i:05d}"
        if slug in existing:
            continue
        rng = random.Random(f"opening-{i}")
        company = companies[i % len(companies)]
        trade_index = rng.choice(SECTOR_TRADES.get(company.sector) or [0])
        trade, _sector, categories = TRADES[trade_index]
        kind = rng.choices(
            [T.BOL, T.BBL, T.JOB, T.ORIENTATION, T.GRADUATION], weights=[35, 25, 25, 10, 5]
        )[0]
        if kind in (T.BOL, T.BBL) and not company.sbb_recognised:
            kind = rng.choice([T.JOB, T.ORIENTATION])
        place = next((p for p in region if p.name == company.municipality), rng.choice(region))
        if rng.random() < 0.1:
            place = rng.choice(others or region)
        title, description = _opening_text(rng, kind, trade, company, place)
        start = today + dt.timedelta(days=rng.randint(7, 180))
        levels, hours, capacity, end = {
            T.BOL: (
                [E.MBO_2, E.MBO_3, E.MBO_4],
                rng.choice([32, 36, 40]),
                rng.randint(1, 3),
                start + dt.timedelta(days=20 * 7),
            ),
            T.BBL: (
                [E.MBO_2, E.MBO_3, E.MBO_4],
                rng.choice([32, 36, 38]),
                rng.randint(1, 2),
                start + dt.timedelta(days=rng.choice([365, 730])),
            ),
            T.JOB: ([E.MBO_2, E.MBO_3, E.MBO_4], rng.choice([24, 32, 36, 40]), 1, None),
            T.ORIENTATION: (
                [E.VMBO, E.HAVO, E.VWO],
                rng.choice([4, 6, 8]),
                rng.randint(5, 15),
                start,
            ),
            T.GRADUATION: ([E.MBO_4, E.HBO], 36, 1, start + dt.timedelta(days=20 * 7)),
        }[kind]
        roll = rng.random()
        status = (
            OpeningStatus.OPEN
            if roll < 0.85
            else (OpeningStatus.DRAFT if roll < 0.93 else OpeningStatus.CLOSED)
        )
        published = None
        if status != OpeningStatus.DRAFT:
            published = now - dt.timedelta(days=rng.randint(0, 80), hours=rng.randint(0, 23))
        openings.append(
            Opening(
                company=company,
                slug=slug,
                title=title,
                description=description,
                type=kind,
                education_levels=[lvl.value for lvl in levels],
                place=place,
                start_date=start,
                end_date=end,
                hours_per_week=hours,
                capacity=capacity,
                places_filled=rng.randint(0, capacity - 1) if status == OpeningStatus.OPEN else 0,
                status=status,
                published_at=published,
                expires_at=published + dt.timedelta(days=90) if published else None,
            )
        )
        must = _pick_skills(rng, skills, categories[:1], rng.randint(2, 3))
        nice = [s for s in _pick_skills(rng, skills, categories[1:], 3) if s not in must]
        min_level = 1 if kind in (T.ORIENTATION, T.BOL) else rng.randint(1, 2)
        wanted_skills[slug] = [(pk, Importance.MUST, min_level) for pk in must] + [
            (pk, Importance.NICE, 1) for pk in nice[:2]
        ]
    for start in range(0, len(openings), BATCH):
        Opening.objects.bulk_create(openings[start : start + BATCH])
    by_slug = dict(Opening.objects.filter(slug__in=wanted_skills).values_list("slug", "pk"))
    links = [
        OpeningSkill(opening_id=by_slug[slug], skill_id=pk, importance=imp, min_level=level)
        for slug, rows in wanted_skills.items()
        for pk, imp, level in rows
    ]
    OpeningSkill.objects.bulk_create(links, batch_size=BATCH)


# How a class is named at a VO school: year and stream ("3KB-A", "4H-B").
VO_STREAMS = {E.VMBO: "KB", E.HAVO: "H", E.VWO: "V"}


def demo_class_name(i: int, programme: str, level: str, school: Organisation | None) -> str:
    """A believable class for a demo student at a school, empty otherwise: MBO
    classes by the programme's initials and year ("EMM2A"), VO classes by year
    and stream. Its own random stream, so the rest of the demo stays as it was."""
    if school is None:
        return ""
    rng = random.Random(f"class-{i}")
    letter = rng.choice("AB")
    if level in VO_STREAMS:
        return f"{rng.randint(2, 4)}{VO_STREAMS[level]}-{letter}"
    initials = "".join(word[0] for word in programme.split()[:3]).upper()
    return f"{initials}{rng.randint(1, 3)}{letter}"


def _students_create(
    count: int, skills: dict[str, list[int]], region: list[Place], others: list[Place]
) -> None:
    today = timezone.localdate()
    schools = {o.name: o for o in Organisation.objects.filter(kind=OrganisationKind.SCHOOL)}
    coaches = list(
        Organisation.objects.filter(kind=OrganisationKind.LEARNING_LOCATION).order_by("slug")
    )
    emails = [f"student{i:05d}@demo.maakmatch.nl" for i in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing per user would take minutes
    users, memberships, profiles, profile_skills = [], [], [], {}
    for i, email in enumerate(emails):
        if email in existing:
            continue
        rng = random.Random(f"student-{i}")
        first, last = rng.choice(FIRST), rng.choice(LAST)
        roll = rng.random()
        career_changer = roll < 0.15
        school, organisation = None, None
        if career_changer:
            programme, level, categories = rng.choice(MBO_PROGRAMMES)
            age = rng.randint(24, 55)
            wanted = [T.BBL, T.JOB]
            former = rng.choice(FORMER_JOBS)
            about = (
                f"Ik heb jaren gewerkt als {former} en wil nu de techniek in. "
                f"Ik zoek een leerbaan of baan richting {programme.lower()}."
            )
            experience = f"{rng.randint(3, 25)} jaar werkervaring als {former}."
            organisation = rng.choice(coaches) if coaches and rng.random() < 0.5 else None
        elif roll < 0.4:
            programme, level, categories = rng.choice(VO_PROGRAMMES)
            age = rng.randint(13, 17)
            wanted = [T.ORIENTATION]
            about = (
                "Ik zit op de middelbare school en wil ontdekken of techniek iets voor me "
                "is. Ik ben nieuwsgierig en werk graag met mijn handen."
            )
            experience = ""
            school = schools.get(rng.choice(VO_SCHOOLS))
        else:
            programme, level, categories = rng.choice(MBO_PROGRAMMES)
            age = rng.randint(16, 23)
            wanted = [rng.choice([T.BOL, T.BOL, T.BBL])] + ([T.JOB] if rng.random() < 0.3 else [])
            about = (
                f"Ik doe de opleiding {programme} en zoek een "
                f"{'leerbaan' if T.BBL in wanted else 'stageplek'} bij een mooi bedrijf "
                "in de regio. Ik ben leergierig, nauwkeurig en werk graag in een team."
            )
            experience = rng.choice(["", "Bijbaan in een supermarkt.", "Vakantiewerk in de bouw."])
            school = schools.get(rng.choice(MBO_SCHOOLS))
        organisation = school or organisation
        born = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        user = User(email=email, full_name=f"{first} {last}", password=password, date_of_birth=born)
        users.append(user)
        place = rng.choice(region) if rng.random() < 0.8 else rng.choice(others or region)
        available_from = today + dt.timedelta(days=rng.randint(0, 120))
        profiles.append(
            Profile(
                user=user,
                headline=f"{programme} · {place.name}",
                about=about,
                education_level=level,
                programme=programme,
                school=school,
                place=place,
                travel_radius_km=rng.choice([10, 15, 20, 25, 30, 40]),
                wanted_types=wanted,
                available_from=available_from,
                available_until=available_from + dt.timedelta(days=rng.choice([150, 365, 730])),
                hours_per_week=rng.choice([8, 24, 32, 36, 40]) if wanted != [T.ORIENTATION] else 8,
                sectors=rng.sample([s.value for s in Sector][:8], 2),
                is_career_changer=career_changer,
                experience=experience,
            )
        )
        memberships.append((user, organisation, demo_class_name(i, programme, level, school)))
        chosen = _pick_skills(rng, skills, categories, rng.randint(3, 8))
        profile_skills[email] = [
            (pk, rng.choices([1, 2, 3], weights=[5, 3, 1])[0]) for pk in chosen
        ]
    for start in range(0, len(users), BATCH):
        User.objects.bulk_create(users[start : start + BATCH])
    ids = dict(User.objects.filter(email__in=profile_skills).values_list("email", "pk"))
    for user in users:
        user.pk = ids[user.email]
    Membership.objects.bulk_create(
        [
            Membership(user=u, organisation=o, role=Role.STUDENT, class_name=klas)
            for u, o, klas in memberships
        ],
        batch_size=BATCH,
    )
    for profile in profiles:
        profile.user_id = profile.user.pk
    Profile.objects.bulk_create(profiles, batch_size=BATCH)
    profile_ids = dict(
        Profile.objects.filter(user__email__in=profile_skills).values_list("user__email", "pk")
    )
    ProfileSkill.objects.bulk_create(
        [
            ProfileSkill(profile_id=profile_ids[email], skill_id=pk, level=level)
            for email, rows in profile_skills.items()
            for pk, level in rows
        ],
        batch_size=BATCH,
    )


def _login_profiles_create(skills: dict[str, list[int]], region: list[Place]) -> None:
    """Give the demo login students a profile, so their pages show something."""
    rows = [
        (
            "student@demo.maakmatch.nl",
            "Eerste monteur mechatronica",
            E.MBO_3,
            [T.BOL],
            False,
            ["mechatronics", "plc_automation"],
        ),
        (
            "leerling@demo.maakmatch.nl",
            "VMBO profiel Produceren, Installeren en Energie",
            E.VMBO,
            [T.ORIENTATION],
            False,
            ["metalworking", "electrical"],
        ),
        (
            "zijinstromer@demo.maakmatch.nl",
            "Allround lasser",
            E.MBO_2,
            [T.BBL, T.JOB],
            True,
            ["welding", "metalworking"],
        ),
    ]
    for i, (email, programme, level, wanted, changer, categories) in enumerate(rows):
        user = User.objects.filter(email=email).first()
        if user is None or Profile.objects.filter(user=user).exists():
            continue
        rng = random.Random(f"login-{i}")
        school = user.memberships.filter(organisation__kind=OrganisationKind.SCHOOL).first()
        profile = Profile.objects.create(
            user=user,
            headline=programme,
            programme=programme,
            education_level=level,
            school=school.organisation if school else None,
            place=next(p for p in region if p.name == "Woerden"),
            travel_radius_km=25,
            wanted_types=wanted,
            hours_per_week=8 if wanted == [T.ORIENTATION] else 36,
            is_career_changer=changer,
            about="Ik ben een demo-account om MaakMatch te laten zien.",
            available_from=timezone.localdate(),
        )
        ProfileSkill.objects.bulk_create(
            ProfileSkill(profile=profile, skill_id=pk, level=rng.randint(1, 3))
            for pk in _pick_skills(rng, skills, categories, 5)
        )


# The demo login company's own openings: (slug, title, type, levels, hours, capacity,
# must-have skills, nice-to-have skills, description).
DEMO_COMPANY_OPENINGS = [
    (
        "demo-linge-cnc-draaier",
        "Stage CNC-draaier",
        T.BOL,
        [E.MBO_2, E.MBO_3, E.MBO_4],
        36,
        3,
        ["cnc-draaien", "technisch-tekening-lezen"],
        ["meten-schuifmaat-micrometer", "cnc-machine-instellen"],
        "Je draait series onderdelen voor de voedingsmiddelenindustrie op onze "
        "CNC-draaibanken. Je leert programma's aanpassen en je meet je eigen werk.",
    ),
    (
        "demo-linge-lasser",
        "Leerbaan lasser / constructiebankwerker",
        T.BBL,
        [E.MBO_2, E.MBO_3],
        38,
        2,
        ["mig-mag-lassen", "bankwerken"],
        ["tig-lassen", "veiligheidsbewust-werken"],
        "Vier dagen werken, één dag naar school. Je last frames en bordessen en "
        "bouwt ze samen in onze werkplaats in Woerden.",
    ),
    (
        "demo-linge-onderhoud",
        "Stage onderhoudsmonteur",
        T.BOL,
        [E.MBO_3, E.MBO_4],
        32,
        2,
        ["preventief-onderhoud", "storingzoeken"],
        ["plc-storingzoeken", "elektrisch-meten"],
        "Je houdt onze machines draaiend: je plant onderhoud, zoekt storingen en "
        "schrijft op wat je hebt gedaan.",
    ),
    (
        "demo-linge-snuffeldag",
        "Snuffeldag metaal en techniek",
        T.ORIENTATION,
        [E.VMBO, E.HAVO, E.VWO],
        6,
        12,
        ["samenwerken"],
        ["bankwerken"],
        "Een dag meekijken en zelf een klein werkstuk maken: zagen, boren en lassen "
        "onder begeleiding.",
    ),
]


def _demo_company_openings_create(region: list[Place]) -> None:
    """The demo company (the company login's) gets openings of its own, so its
    pages have candidates once suggestions are walked through the workflow."""
    company = Organisation.objects.filter(slug="metaalwerk-de-linge").first()
    if company is None:
        return
    place = next(p for p in region if p.name == "Woerden")
    skills = dict(Skill.objects.values_list("slug", "pk"))
    today, now = timezone.localdate(), timezone.now()
    for i, (slug, title, kind, levels, hours, capacity, must, nice, text) in enumerate(
        DEMO_COMPANY_OPENINGS
    ):
        if Opening.objects.filter(slug=slug).exists():
            continue
        start = today + dt.timedelta(days=30 + 14 * i)
        opening = Opening.objects.create(
            company=company,
            slug=slug,
            title=title,
            description=text,
            type=kind,
            education_levels=[lvl.value for lvl in levels],
            place=place,
            start_date=start,
            end_date=start + dt.timedelta(days=1 if kind == T.ORIENTATION else 20 * 7),
            hours_per_week=hours,
            capacity=capacity,
            status=OpeningStatus.OPEN,
            published_at=now - dt.timedelta(days=3 + i),
            expires_at=now + dt.timedelta(days=87 - i),
        )
        OpeningSkill.objects.bulk_create(
            [
                OpeningSkill(opening=opening, skill_id=skills[s], importance=Importance.MUST)
                for s in must
                if s in skills
            ]
            + [
                OpeningSkill(opening=opening, skill_id=skills[s], importance=Importance.NICE)
                for s in nice
                if s in skills
            ]
        )


@transaction.atomic
def demo_region_create(*, students: int = 400, openings: int = 150) -> DemoCounts:
    """Build (or top up) the demo region. Existing demo rows are left as they are."""
    skills = _skills_by_category()
    region, others = _places()
    companies = _companies_create(region)
    _openings_create(openings, companies, skills, region, others)
    _students_create(students, skills, region, others)
    _login_profiles_create(skills, region)
    _demo_company_openings_create(region)
    return DemoCounts(
        companies=len(companies),
        openings=Opening.objects.filter(slug__startswith="demo-vacature-").count(),
        students=Profile.objects.filter(user__email__regex=r"^student[0-9]{5}@").count(),
    )
