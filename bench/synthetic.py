"""Deterministic synthetic profiles and openings for the engine benchmarks.

Everything comes from one ``numpy`` generator seeded by the caller, so a run with
the same sizes and seed builds the same records. Texts are Dutch manufacturing
texts composed from a few hundred technical words and phrases plus the real skill
taxonomy (labels and synonyms from ``marketplace/data/skills.json``), company and
place names. Places are jittered by a few km around real municipality centres:
the project's region (``marketplace/data/places.json``) or about 70 Dutch towns
weighted by population (national scale), so travel radii prune as in life.

Usage::

    profiles, openings, taxonomy = generate(20_000, 5_000, scale="region", seed=1)
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matching.engine.records import (
    LEVELS,
    OPENING_TYPES,
    OpeningRecord,
    ProfileRecord,
    RequiredSkill,
    Taxonomy,
)

DATA = Path(__file__).resolve().parent.parent / "marketplace" / "data"
TODAY = dt.date(2026, 2, 2)  # fixed, so the data does not change with the calendar
SECTORS = (
    "metal",
    "machinery",
    "electrical",
    "installation",
    "food_machines",
    "plastics",
    "wood",
    "logistics",
    "construction",
    "other",
)

# ~70 Dutch town centres: (name, latitude, longitude, inhabitants in thousands).
NATIONAL_PLACES: list[tuple[str, float, float, int]] = [
    ("Amsterdam", 52.3676, 4.9041, 930),
    ("Rotterdam", 51.9244, 4.4777, 665),
    ("Den Haag", 52.0705, 4.3007, 560),
    ("Utrecht", 52.0907, 5.1214, 370),
    ("Eindhoven", 51.4416, 5.4697, 240),
    ("Groningen", 53.2194, 6.5665, 238),
    ("Tilburg", 51.5555, 5.0913, 225),
    ("Almere", 52.3508, 5.2647, 220),
    ("Breda", 51.5719, 4.7683, 185),
    ("Nijmegen", 51.8126, 5.8372, 180),
    ("Apeldoorn", 52.2112, 5.9699, 167),
    ("Arnhem", 51.9851, 5.8987, 166),
    ("Haarlem", 52.3874, 4.6462, 163),
    ("Hoofddorp", 52.3061, 4.6907, 160),
    ("Amersfoort", 52.1561, 5.3878, 160),
    ("Zaandam", 52.4420, 4.8292, 158),
    ("Enschede", 52.2215, 6.8937, 160),
    ("'s-Hertogenbosch", 51.6978, 5.3037, 157),
    ("Zwolle", 52.5168, 6.0830, 130),
    ("Zoetermeer", 52.0575, 4.4931, 126),
    ("Leiden", 52.1601, 4.4970, 126),
    ("Leeuwarden", 53.2012, 5.7999, 125),
    ("Maastricht", 50.8514, 5.6910, 122),
    ("Dordrecht", 51.8133, 4.6901, 120),
    ("Ede", 52.0402, 5.6649, 118),
    ("Alphen aan den Rijn", 52.1292, 4.6553, 113),
    ("Naaldwijk", 51.9939, 4.2100, 112),
    ("Alkmaar", 52.6324, 4.7534, 110),
    ("Emmen", 52.7858, 6.8975, 107),
    ("Delft", 52.0116, 4.3571, 104),
    ("Venlo", 51.3704, 6.1724, 102),
    ("Deventer", 52.2661, 6.1552, 101),
    ("Helmond", 51.4793, 5.6570, 93),
    ("Oss", 51.7650, 5.5180, 93),
    ("Sittard-Geleen", 50.9980, 5.8697, 92),
    ("Amstelveen", 52.3114, 4.8701, 92),
    ("Purmerend", 52.5050, 4.9597, 92),
    ("Hilversum", 52.2292, 5.1669, 91),
    ("Sneek", 53.0325, 5.6589, 90),
    ("Heerlen", 50.8882, 5.9795, 87),
    ("Spijkenisse", 51.8450, 4.3290, 85),
    ("Hengelo", 52.2658, 6.7931, 81),
    ("Lelystad", 52.5185, 5.4714, 80),
    ("Schiedam", 51.9192, 4.3886, 79),
    ("Roosendaal", 51.5308, 4.4653, 77),
    ("Leidschendam-Voorburg", 52.0833, 4.3917, 77),
    ("Vlaardingen", 51.9125, 4.3419, 75),
    ("Gouda", 52.0115, 4.7105, 74),
    ("Almelo", 52.3570, 6.6625, 73),
    ("Hoorn", 52.6424, 5.0597, 73),
    ("Assen", 52.9925, 6.5649, 69),
    ("Bergen op Zoom", 51.4949, 4.2911, 68),
    ("Capelle aan den IJssel", 51.9292, 4.5778, 67),
    ("Veenendaal", 52.0286, 5.5589, 67),
    ("Katwijk", 52.2000, 4.4167, 66),
    ("Nieuwegein", 52.0292, 5.0806, 63),
    ("Roermond", 51.1942, 5.9875, 59),
    ("Doetinchem", 51.9650, 6.2886, 58),
    ("Den Helder", 52.9563, 4.7601, 56),
    ("Terneuzen", 51.3358, 3.8278, 54),
    ("Kampen", 52.5550, 5.9114, 54),
    ("Woerden", 52.0853, 4.8836, 53),
    ("Heerenveen", 52.9600, 5.9200, 51),
    ("Middelburg", 51.4988, 3.6136, 49),
    ("Harderwijk", 52.3417, 5.6208, 48),
    ("Drachten", 53.1030, 6.0980, 45),
    ("Vlissingen", 51.4425, 3.5736, 45),
    ("Tiel", 51.8867, 5.4292, 42),
    ("Goes", 51.5042, 3.8889, 39),
    ("Meppel", 52.6958, 6.1944, 34),
    ("Winterswijk", 51.9722, 6.7194, 29),
]

# (trade, sector, skill categories it leans on, main first)
TRADES: list[tuple[str, str, list[str]]] = [
    ("CNC-draaier", "metal", ["cnc", "metalworking", "quality"]),
    ("CNC-frezer", "metal", ["cnc", "metalworking", "cad_cam"]),
    ("Verspaner", "metal", ["cnc", "metalworking", "quality"]),
    ("Machinebankwerker", "metal", ["metalworking", "cnc", "safety"]),
    ("Constructiebankwerker", "metal", ["metalworking", "welding", "safety"]),
    ("Plaatwerker", "metal", ["metalworking", "production", "quality"]),
    ("Lasser MIG/MAG", "metal", ["welding", "metalworking", "safety"]),
    ("TIG-lasser", "metal", ["welding", "metalworking", "quality"]),
    ("Pijpfitter", "installation", ["welding", "installation", "safety"]),
    ("Monteur mechatronica", "machinery", ["mechatronics", "electrical", "maintenance"]),
    ("Monteur machinebouw", "machinery", ["mechatronics", "metalworking", "maintenance"]),
    ("Servicemonteur", "machinery", ["maintenance", "mechatronics", "electrical"]),
    ("Storingsmonteur", "food_machines", ["maintenance", "plc_automation", "electrical"]),
    ("Tekenaar-constructeur", "machinery", ["cad_cam", "quality", "digital"]),
    ("Werkvoorbereider", "machinery", ["cad_cam", "production", "digital"]),
    ("Monteur voedingsmiddelenmachines", "food_machines", ["mechatronics", "maintenance"]),
    ("Besturingstechnicus", "food_machines", ["plc_automation", "electrical", "digital"]),
    ("PLC-programmeur", "electrical", ["plc_automation", "digital", "electrical"]),
    ("Robotprogrammeur", "machinery", ["plc_automation", "mechatronics", "digital"]),
    ("Elektromonteur", "electrical", ["electrical", "safety", "installation"]),
    ("Paneelbouwer", "electrical", ["electrical", "production", "quality"]),
    ("Installatiemonteur", "installation", ["installation", "electrical", "safety"]),
    ("Monteur warmtepompen", "installation", ["installation", "maintenance", "electrical"]),
    ("Monteur koeltechniek", "installation", ["installation", "maintenance", "safety"]),
    ("Operator spuitgieten", "plastics", ["plastics", "production", "quality"]),
    ("Procesoperator", "plastics", ["production", "quality", "plc_automation"]),
    ("Matrijzenmaker", "plastics", ["plastics", "cnc", "metalworking"]),
    ("Kwaliteitscontroleur", "metal", ["quality", "production", "digital"]),
    ("Productiemedewerker", "other", ["production", "safety", "quality"]),
    ("Assemblagemedewerker", "machinery", ["production", "mechatronics", "quality"]),
    ("Logistiek medewerker", "logistics", ["logistics", "safety", "digital"]),
    ("Magazijnmedewerker", "logistics", ["logistics", "safety", "production"]),
    ("Onderhoudsmonteur", "machinery", ["maintenance", "mechatronics", "safety"]),
    ("Meubelmaker CNC", "wood", ["cnc", "production", "cad_cam"]),
    ("Houtbewerker", "wood", ["production", "cnc", "safety"]),
    ("Staalbouwmonteur", "construction", ["metalworking", "welding", "safety"]),
]

# A few hundred technical words and phrases, by skill category of the taxonomy.
PHRASES: dict[str, list[str]] = {
    "cnc": [
        "CNC-draaibank",
        "CNC-freesbank",
        "Heidenhain-besturing",
        "Siemens Sinumerik",
        "G-code",
        "programma's inlezen",
        "nulpunt instellen",
        "gereedschap wisselen",
        "serieproductie",
        "enkelstuks",
        "5-assig frezen",
        "draaien op een CNC-draaibank",
        "opspannen van werkstukken",
        "verspanen",
        "toleranties bewaken",
        "snijsnelheid en voeding",
        "draaicentrum",
        "bewerkingscentrum",
        "stafvoeding",
        "draaibeitels",
    ],
    "metalworking": [
        "bankwerk",
        "vijlen en zagen",
        "boren en tappen",
        "plaatwerk",
        "kanten en zetten",
        "knippen en ponsen",
        "lasersnijden",
        "staalconstructies",
        "roestvast staal",
        "aluminium",
        "technische tekeningen lezen",
        "maatvoering",
        "afbramen",
        "zetbank",
        "samenbouw",
        "hijsen en heffen",
        "constructiewerk",
        "metaalbewerking",
    ],
    "welding": [
        "MIG/MAG lassen",
        "TIG lassen",
        "elektrodelassen",
        "lasnaden",
        "lasposities",
        "lasmethodebeschrijving",
        "lasrookafzuiging",
        "hechten",
        "RVS lassen",
        "aluminium lassen",
        "lascertificaat",
        "lasrobot",
        "puntlassen",
        "voorwarmen",
    ],
    "mechatronics": [
        "mechatronica",
        "pneumatiek",
        "hydrauliek",
        "aandrijftechniek",
        "sensoren",
        "servomotoren",
        "machinebouw",
        "assemblage van machines",
        "inbedrijfstelling",
        "storingzoeken",
        "lagers en tandwielen",
        "transportbanden",
        "robotcel",
        "afstellen van machines",
    ],
    "electrical": [
        "elektrotechniek",
        "schakelkasten",
        "paneelbouw",
        "bekabeling",
        "NEN 3140",
        "NEN 1010",
        "meten aan installaties",
        "elektrische schema's",
        "frequentieregelaars",
        "laagspanning",
        "aarding",
        "bedraden",
        "installaties aansluiten",
        "kabelgoten",
    ],
    "installation": [
        "installatietechniek",
        "warmtepompen",
        "cv-ketels",
        "leidingwerk",
        "solderen",
        "persfittingen",
        "ventilatiesystemen",
        "koeltechniek",
        "sanitair",
        "zonnepanelen",
        "klimaatinstallaties",
        "waterzijdig inregelen",
        "luchtbehandeling",
    ],
    "plc_automation": [
        "PLC-programmeren",
        "TIA Portal",
        "Step 7",
        "HMI-schermen",
        "SCADA",
        "besturingstechniek",
        "industriële automatisering",
        "robotprogrammering",
        "ladderdiagram",
        "procesautomatisering",
        "veldbussen",
        "Profinet",
        "software testen op de machine",
    ],
    "cad_cam": [
        "SolidWorks",
        "AutoCAD",
        "Inventor",
        "3D-modelleren",
        "werktekeningen maken",
        "CAM-programmeren",
        "Mastercam",
        "stuklijsten",
        "tekenwerk",
        "ontwerpen",
        "constructieberekeningen",
        "Siemens NX",
        "prototypes",
    ],
    "production": [
        "productielijn",
        "ploegendienst",
        "productieproces",
        "omstellen",
        "inpakken",
        "assembleren",
        "seriewerk",
        "lean produceren",
        "5S",
        "productieplanning",
        "machinebediening",
        "grondstoffen aanvoeren",
        "verpakkingslijn",
    ],
    "quality": [
        "kwaliteitscontrole",
        "meten met schuifmaat",
        "micrometer",
        "meetbank",
        "ISO 9001",
        "afwijkingen registreren",
        "eindcontrole",
        "steekproeven",
        "3D-meetmachine",
        "kwaliteitssysteem",
        "meetrapporten",
        "procesverbetering",
    ],
    "maintenance": [
        "preventief onderhoud",
        "correctief onderhoud",
        "storingsdienst",
        "onderhoudsplanning",
        "smeren",
        "onderdelen vervangen",
        "revisie",
        "trillingsmeting",
        "technische dienst",
        "storingen verhelpen",
        "machinepark",
        "werkorders",
    ],
    "safety": [
        "VCA",
        "veiligheidsinstructies",
        "persoonlijke beschermingsmiddelen",
        "LMRA",
        "werkplekinspectie",
        "BHV",
        "heftruckcertificaat",
        "veilig werken",
        "machineveiligheid",
        "arbo",
        "lockout tagout",
    ],
    "logistics": [
        "magazijn",
        "orderpicken",
        "heftruck",
        "reachtruck",
        "voorraadbeheer",
        "inslag en uitslag",
        "handscanner",
        "WMS",
        "expeditie",
        "laden en lossen",
        "goederenontvangst",
    ],
    "plastics": [
        "spuitgieten",
        "extruderen",
        "matrijzen",
        "kunststof",
        "granulaat",
        "thermovormen",
        "composiet",
        "polyester",
        "spuitgietmachines instellen",
        "matrijswissel",
        "nabewerken",
    ],
    "digital": [
        "Excel",
        "ERP-systeem",
        "digitale werkbonnen",
        "data analyseren",
        "programmeren in Python",
        "Industrie 4.0",
        "sensordata",
        "tablet op de werkvloer",
        "3D-printen",
        "computervaardigheden",
        "Arduino",
    ],
    "soft": [
        "samenwerken",
        "zelfstandig werken",
        "nauwkeurig",
        "leergierig",
        "communicatief",
        "verantwoordelijk",
        "flexibel",
        "punctueel",
        "probleemoplossend",
        "klantgericht",
        "teamspeler",
        "oog voor detail",
        "hands-on",
        "stressbestendig",
    ],
}
PRODUCTS = [
    "onderdelen voor de machinebouw",
    "kaasmachines",
    "precisieonderdelen",
    "schakelkasten",
    "installaties voor de voedingsmiddelenindustrie",
    "kunststof verpakkingen",
    "stalen constructies",
    "meubels op maat",
    "transportsystemen",
    "warmtepompen",
    "hydraulische cilinders",
    "landbouwmachines",
    "trappen en bordessen",
    "medische instrumenten",
    "koelinstallaties",
    "verpakkingsmachines",
    "zonnepaneelframes",
    "keukens en interieurs",
]
BENEFITS = [
    "een goede stagevergoeding",
    "een reiskostenvergoeding",
    "een vaste begeleider",
    "doorgroeimogelijkheden",
    "een cao-salaris",
    "een leerwerkovereenkomst",
    "opleiding op de werkvloer",
    "een vast contract na je opleiding",
    "werkkleding en gereedschap",
    "een informeel team",
    "vrijdagmiddagborrels",
    "een eigen werkplek",
]
SHIFTS = ["dagdienst", "tweeploegendienst", "drieploegendienst", "vroege dienst", "late dienst"]
TOPICS = [
    "procesverbetering",
    "automatisering van de eindcontrole",
    "ontwerp van een opspanmal",
    "energiebesparing in de productie",
    "minder afkeur",
    "een nieuwe layout van de werkplaats",
    "predictief onderhoud",
]
PROGRAMMES: list[tuple[str, str]] = [
    ("Monteur mechatronica", "mbo2"),
    ("Eerste monteur mechatronica", "mbo3"),
    ("Technicus engineering", "mbo4"),
    ("Allround lasser", "mbo3"),
    ("Verspaner", "mbo2"),
    ("Allround verspaner", "mbo3"),
    ("Constructiewerker", "mbo2"),
    ("Monteur elektrotechnische installaties", "mbo2"),
    ("Eerste monteur elektrotechnische installaties", "mbo3"),
    ("Monteur werktuigkundige installaties", "mbo2"),
    ("Logistiek medewerker", "mbo2"),
    ("Operator", "mbo2"),
    ("Allround operator", "mbo3"),
    ("Middenkaderfunctionaris engineering", "mbo4"),
    ("Entree opleiding techniek", "mbo1"),
    ("Produceren, Installeren en Energie", "vmbo"),
    ("Natuur en Techniek", "havo"),
    ("Natuur en Techniek", "vwo"),
    ("Werktuigbouwkunde", "hbo"),
    ("Elektrotechniek", "hbo"),
    ("Mechanical Engineering", "wo"),
]
SCHOOLS = [
    "ROC Midden-Nederland",
    "MBO Rijnland",
    "Wellant College",
    "ROC van Amsterdam",
    "Albeda",
    "Zadkine",
    "Summa College",
    "Deltion College",
    "Noorderpoort",
    "ROC Nijmegen",
    "Hogeschool Utrecht",
    "Fontys",
    "TU Delft",
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
    "postbezorger",
    "schilder",
]
HOBBIES = [
    "sleutel ik aan brommers",
    "bouw ik drones",
    "speel ik voetbal",
    "knutsel ik met Arduino",
    "help ik in de fietsenwerkplaats",
    "restaureer ik oude auto's",
    "maak ik meubels van sloophout",
    "programmeer ik kleine spelletjes",
    "vis ik graag",
    "bouw ik modelvliegtuigen",
]
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
    "Hendriks",
    "Smits",
    "Postma",
    "Jansen",
    "Visser",
    "Prins",
]
COMPANY_WORDS = [
    "Metaaltechniek",
    "Metaalbewerking",
    "Precisietechniek",
    "Staalbouw",
    "Machinebouw",
    "Machinefabriek",
    "Engineering",
    "Procesmachines",
    "Elektrotechniek",
    "Besturingstechniek",
    "Installatietechniek",
    "Klimaattechniek",
    "Kunststoffen",
    "Houtbewerking",
    "Interieurbouw",
    "Logistiek",
    "Constructie",
    "Techniek",
]
TRANSPORT = ["de fiets", "de scooter", "het openbaar vervoer", "de auto", "de e-bike"]

# Types wanted by kind of person; levels accepted by kind of opening.
ACCEPTED_LEVELS = {
    "bol": ["mbo1", "mbo2", "mbo3", "mbo4"],
    "bbl": ["mbo2", "mbo3", "mbo4"],
    "job": ["mbo2", "mbo3", "mbo4", "hbo"],
    "orientation": ["vmbo", "havo", "vwo"],
    "graduation": ["mbo4", "hbo", "wo"],
}
LEVEL_WEIGHTS = {
    "vmbo": 8,
    "mbo1": 3,
    "mbo2": 22,
    "mbo3": 22,
    "havo": 6,
    "mbo4": 18,
    "vwo": 3,
    "hbo": 12,
    "wo": 3,
}
TYPE_WEIGHTS = {"bol": 35, "bbl": 25, "job": 25, "orientation": 10, "graduation": 5}


class Stream:
    """Uniform draws from a numpy generator, fetched in bulk (fast in Python loops)."""

    def __init__(self, rng: np.random.Generator, block: int = 1 << 16) -> None:
        self.rng, self.block = rng, block
        self.buf, self.i = rng.random(block), 0

    def u(self) -> float:
        if self.i == self.block:
            self.buf, self.i = self.rng.random(self.block), 0
        self.i += 1
        return float(self.buf[self.i - 1])

    def int(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi], both included."""
        return lo + int(self.u() * (hi - lo + 1))

    def pick(self, seq: Sequence):
        return seq[int(self.u() * len(seq))]

    def picks(self, seq: Sequence, n: int) -> list:
        """n distinct items (fewer when seq is shorter)."""
        n = min(n, len(seq))
        chosen: list = []
        while len(chosen) < n:
            item = self.pick(seq)
            if item not in chosen:
                chosen.append(item)
        return chosen

    def weighted(self, items: Sequence, cumulative: np.ndarray):
        return items[int(np.searchsorted(cumulative, self.u() * cumulative[-1], side="right"))]


def load_taxonomy() -> tuple[Taxonomy, dict[str, list[str]], dict[str, list[str]]]:
    """The real taxonomy, plus slugs by category and the Dutch terms of each slug."""
    rows = json.loads((DATA / "skills.json").read_text(encoding="utf-8"))
    keys = [r["slug"] for r in rows]
    related = sorted({tuple(sorted((r["slug"], o))) for r in rows for o in r["related"]})
    terms: dict[str, str] = {}
    by_category: dict[str, list[str]] = {}
    words: dict[str, list[str]] = {}
    for r in rows:
        by_category.setdefault(r["category"], []).append(r["slug"])
        words[r["slug"]] = [r["label_nl"], *r["synonyms"]]
        for term in (r["label_nl"], r["label_en"], *r["synonyms"]):
            terms.setdefault(Taxonomy.normalise(term), r["slug"])
    return Taxonomy(keys=keys, related=related, terms=terms), by_category, words


def places(scale: str) -> list[tuple[str, float, float, float]]:
    """(name, lat, lon, weight) of the centres records are spread around."""
    if scale == "region":
        rows = json.loads((DATA / "places.json").read_text(encoding="utf-8"))
        # Most companies and people are in the region itself, some just outside it.
        return [
            (r["name"], r["latitude"], r["longitude"], 3.0 if r["in_region"] else 1.0) for r in rows
        ]
    if scale == "national":
        return [(n, lat, lon, float(pop)) for n, lat, lon, pop in NATIONAL_PLACES]
    raise ValueError(f"scale must be 'region' or 'national', not {scale!r}")


def _locations(
    rng: np.random.Generator, n: int, scale: str
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """n points: a weighted centre, jittered (km) by town size; 20% spread wider."""
    centres = places(scale)
    weights = np.array([w for *_, w in centres])
    which = rng.choice(len(centres), size=n, p=weights / weights.sum())
    lat0 = np.array([c[1] for c in centres])[which]
    lon0 = np.array([c[2] for c in centres])[which]
    sigma_km = 1.5 + np.sqrt(weights[which]) / 8 if scale == "national" else np.full(n, 2.5)
    sigma_km = np.where(rng.random(n) < 0.2, sigma_km * 3, sigma_km)
    dy, dx = rng.normal(size=(2, n)) * sigma_km
    lat = lat0 + dy / 111.2
    lon = lon0 + dx / (111.2 * np.cos(np.radians(lat0)))
    return [centres[i][0] for i in which], np.round(lat, 5), np.round(lon, 5)


class _Writer:
    """Composes Dutch texts from the vocabulary above."""

    def __init__(self, s: Stream, by_category: dict, words: dict) -> None:
        self.s, self.by_category, self.words = s, by_category, words

    def phrase(self, categories: Sequence[str]) -> str:
        s = self.s
        roll = s.u()
        category = categories[0] if roll < 0.5 else s.pick(categories)
        if roll > 0.9:
            category = s.pick(list(PHRASES))
        if category != "soft" and s.u() < 0.35:  # a term straight from the taxonomy
            return s.pick(self.words[s.pick(self.by_category[category])])
        return s.pick(PHRASES[category])

    def opening_text(
        self, trade: str, categories: list[str], company: str, place: str, kind: str, skills
    ) -> str:
        s, p = self.s, self.phrase
        target = s.int(30, 80)
        intro = {
            "bol": f"Loop stage bij {company} in {place} en leer het vak van {trade.lower()}.",
            "bbl": f"Werken en leren tegelijk bij {company} in {place}: vier dagen werken, "
            f"een dag naar school, en je groeit door tot {trade.lower()}.",
            "job": f"{company} in {place} zoekt een {trade.lower()} voor het team.",
            "orientation": f"Ontdek op een snuffeldag bij {company} hoe het is om "
            f"{trade.lower()} te zijn.",
            "graduation": f"Verbeter bij {company} in {place} een stap in de productie: "
            f"{s.pick(TOPICS)}.",
        }[kind]
        sentences = [intro]
        if s.u() < 0.7:
            terms = ", ".join(s.pick(self.words[r.skill]) for r in skills)
            sentences.append(f"Belangrijk voor deze functie: {terms}.")
        templates = [
            lambda: f"Wij maken {s.pick(PRODUCTS)} voor klanten in binnen- en buitenland.",
            lambda: f"Je werkt met {p(categories)} en {p(categories)}.",
            lambda: f"Je leert {p(categories)}, {p(categories)} en {p(categories)}.",
            lambda: f"Ervaring met {p(categories)} is een pré.",
            lambda: f"Je bent {p(['soft'])} en {p(['soft'])}.",
            lambda: f"Wij bieden {s.pick(BENEFITS)} en {s.pick(BENEFITS)}.",
            lambda: f"Je werkt in {s.pick(SHIFTS)} aan {p(categories)}.",
            lambda: f"Het team bestaat uit {s.int(3, 40)} collega's.",
            lambda: f"Taken: {p(categories)}, {p(categories)}, {p(categories)}.",
        ]
        count = sum(len(x.split()) for x in sentences)
        while count < target:
            sentence = s.pick(templates)()
            sentences.append(sentence)
            count += len(sentence.split())
        return " ".join(sentences)

    def profile_about(
        self,
        categories: list[str],
        programme: str,
        school: str,
        place: str,
        changer: bool,
        skills: Sequence[tuple[str, int]],
    ) -> str:
        s, p = self.s, self.phrase
        target = s.int(30, 80)
        sentences = [
            f"Eerder werkte ik als {s.pick(FORMER_JOBS)}, nu wil ik de techniek in."
            if changer
            else f"Ik volg de opleiding {programme} bij {school}."
        ]
        if s.u() < 0.6:
            held = [s.pick(self.words[slug]) for slug, _ in skills[: s.int(1, 3)]]
            sentences.append(f"Ik kan goed overweg met {' en '.join(held)}.")
        templates = [
            lambda: f"Ik ben {p(['soft'])} en {p(['soft'])}.",
            lambda: f"Ik heb ervaring met {p(categories)} en {p(categories)}.",
            lambda: f"Ik wil graag {p(categories)} leren.",
            lambda: f"Op school werkte ik aan {p(categories)}, {p(categories)} en {p(categories)}.",
            lambda: f"Ik woon in {place} en reis met {s.pick(TRANSPORT)}.",
            lambda: f"In mijn vrije tijd {s.pick(HOBBIES)}.",
            lambda: f"Mijn interesse ligt bij {s.pick(PRODUCTS)} en {p(categories)}.",
            lambda: f"Ik zoek een plek waar ik {p(categories)} kan doen.",
        ]
        count = sum(len(x.split()) for x in sentences)
        while count < target:
            sentence = s.pick(templates)()
            sentences.append(sentence)
            count += len(sentence.split())
        return " ".join(sentences)


def _skill_picks(s: Stream, by_category: dict, categories: list[str], n: int) -> list[str]:
    chosen: list[str] = []
    while len(chosen) < n:
        roll = s.u()
        if roll < 0.5:
            category = categories[0]
        elif roll < 0.75:
            category = categories[min(1, len(categories) - 1)]
        elif roll < 0.88:
            category = categories[-1]
        elif roll < 0.95:
            category = "soft"
        else:
            category = s.pick(list(by_category))
        slug = s.pick(by_category[category])
        if slug not in chosen:
            chosen.append(slug)
    return chosen


def _cumulative(weights: dict[str, float]) -> tuple[list[str], np.ndarray]:
    return list(weights), np.cumsum(list(weights.values()), dtype=float)


def generate(
    n_profiles: int,
    n_openings: int,
    *,
    scale: str = "region",
    seed: int = 1,
    trades: dict[str, list[int]] | None = None,
) -> tuple[list[ProfileRecord], list[OpeningRecord], Taxonomy]:
    """Profiles, openings and the real taxonomy; the same arguments give the same data.

    Pass a dict as ``trades`` to receive the index in ``TRADES`` each record was
    written about (keys "profiles" and "openings"): a crude relevance label.
    """
    if trades is not None:
        trades["profiles"], trades["openings"] = [], []
    rng = np.random.default_rng(seed)
    s = Stream(rng)
    taxonomy, by_category, words = load_taxonomy()
    writer = _Writer(s, by_category, words)
    type_items, type_cum = _cumulative(TYPE_WEIGHTS)
    level_items, level_cum = _cumulative(LEVEL_WEIGHTS)
    companies = [f"{f} {w}" for f in FAMILY for w in COMPANY_WORDS]
    assert set(type_items) == set(OPENING_TYPES)
    assert set(level_items) == set(LEVELS)

    o_place, o_lat, o_lon = _locations(rng, n_openings, scale)
    openings: list[OpeningRecord] = []
    for i in range(n_openings):
        trade_index = int(s.u() * len(TRADES))
        trade, sector, categories = TRADES[trade_index]
        if trades is not None:
            trades["openings"].append(trade_index)
        kind = s.weighted(type_items, type_cum)
        company = s.pick(companies)
        recognised = s.u() < 0.75
        if kind in ("bol", "bbl") and s.u() < 0.1:
            recognised = False  # filtered out: BOL/BBL need an SBB-recognised company
        title = {
            "bol": s.pick([f"Stage {trade}", f"BOL-stage {trade}", f"Stageplaats {trade}"]),
            "bbl": s.pick(
                [f"Leerbaan {trade.lower()} (BBL)", f"BBL-plek {trade}", f"Leerwerkplek {trade}"]
            ),
            "job": s.pick([trade, f"Junior {trade.lower()}", f"Allround {trade.lower()}"]),
            "orientation": s.pick([f"Snuffelstage {trade}", f"Meeloopdag {trade.lower()}"]),
            "graduation": f"Afstudeeropdracht {trade.lower()}: {s.pick(TOPICS)}",
        }[kind]
        skills = [
            RequiredSkill(
                slug,
                importance="must" if s.u() < 0.55 else "nice",
                level=1 + int(s.u() ** 1.5 * 3),
            )
            for slug in _skill_picks(s, by_category, categories, s.int(2, 6))
        ]
        start = TODAY + dt.timedelta(days=s.int(-30, 240))
        end = {
            "bol": start + dt.timedelta(weeks=s.pick([10, 20, 40])),
            "bbl": start + dt.timedelta(days=s.pick([365, 730])),
            "job": None,
            "orientation": start + dt.timedelta(days=s.int(0, 4)),
            "graduation": start + dt.timedelta(weeks=20),
        }[kind]
        has_place = s.u() >= 0.005
        openings.append(
            OpeningRecord(
                id=f"o{i}",
                title=title,
                description=writer.opening_text(
                    trade, categories, company, o_place[i], kind, skills
                ),
                type=kind,
                company_recognised=recognised,
                skills=skills,
                levels=() if s.u() < 0.1 else tuple(ACCEPTED_LEVELS[kind]),
                lat=float(o_lat[i]) if has_place else None,
                lon=float(o_lon[i]) if has_place else None,
                start=start,
                end=end,
                hours=s.pick([8, 16, 24, 32, 36, 38, 40])
                if kind != "orientation"
                else s.pick([4, 8]),
                places_left=s.pick([0, 1, 1, 1, 2, 3]),
                sector=sector if s.u() < 0.95 else "",
                is_open=s.u() < 0.9,
            )
        )

    p_place, p_lat, p_lon = _locations(rng, n_profiles, scale)
    profiles: list[ProfileRecord] = []
    for i in range(n_profiles):
        level = s.weighted(level_items, level_cum)
        trade_index = int(s.u() * len(TRADES))
        trade, sector, categories = TRADES[trade_index]
        if trades is not None:
            trades["profiles"].append(trade_index)
        options = [name for name, lvl in PROGRAMMES if lvl == level]
        programme = s.pick(options) if options else trade
        changer = level in ("mbo2", "mbo3", "mbo4") and s.u() < 0.15
        if level in ("vmbo", "havo", "vwo"):
            types = ["orientation"] + (["bol"] if s.u() < 0.3 else [])
            headline = f"Leerling {level.upper()} {programme}, nieuwsgierig naar {trade.lower()}"
        elif changer:
            types = s.picks(["job", "bbl"], s.int(1, 2))
            headline = f"Zij-instromer richting {trade.lower()}"
        elif level in ("hbo", "wo"):
            types = s.picks(["graduation", "job", "bol"], s.int(1, 2))
            headline = f"Student {programme} ({level.upper()}), zoekt {s.pick(TOPICS)}"
        else:
            types = s.picks(["bol", "bbl", "job"], s.int(1, 2))
            headline = f"Student {programme} ({level.upper()}) met interesse in {trade.lower()}"
        skills = [
            (slug, 1 + int(s.u() ** 1.3 * 3))
            for slug in _skill_picks(s, by_category, categories, s.int(3, 8))
        ]
        available_from = TODAY + dt.timedelta(days=s.int(-60, 180))
        available_to = None if s.u() < 0.4 else available_from + dt.timedelta(days=s.int(30, 720))
        experience = (
            f"Bijbaan bij {s.pick(companies)}: {writer.phrase(categories)} en "
            f"{writer.phrase(categories)}."
            if s.u() < 0.3
            else ""
        )
        has_place = s.u() >= 0.01
        sectors = s.picks(SECTORS[:8], s.int(0, 2))
        if sector not in sectors and s.u() < 0.6:
            sectors.append(sector)
        profiles.append(
            ProfileRecord(
                id=f"p{i}",
                headline=headline,
                about=writer.profile_about(
                    categories, programme, s.pick(SCHOOLS), p_place[i], changer, skills
                ),
                experience=experience,
                skills=skills,
                level=level,
                lat=float(p_lat[i]) if has_place else None,
                lon=float(p_lon[i]) if has_place else None,
                radius_km=float(s.int(10, 40)),
                types=tuple(types),
                available_from=available_from,
                available_to=available_to,
                hours=s.pick([16, 24, 32, 36, 40]),
                sectors=tuple(sectors),
                visible=s.u() < 0.97,
            )
        )
    return profiles, openings, taxonomy


def texts(
    profiles: Sequence[ProfileRecord], openings: Sequence[OpeningRecord]
) -> tuple[list[str], list[str]]:
    """The texts the engine vectorises, in the engine's order."""
    return [r.text() for r in profiles], [r.text() for r in openings]


if __name__ == "__main__":
    import time

    t0 = time.perf_counter()
    ps, os_, tax = generate(2_000, 500)
    print(f"generated 2,000 + 500 records in {time.perf_counter() - t0:.2f} s")
    for r in os_[:3]:
        print(f"- {r.title} | {r.type} | {r.description}\n  {r.skills}\n")
    for r in ps[:3]:
        print(f"- {r.headline} | {r.level} | {r.types} | {r.about}\n  {r.experience}\n")
