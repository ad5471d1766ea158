"""Openings from a CSV file, for a company's members and for the region's coordinators.

The same rules as ``accounts.imports``: the file is checked whole, every bad line
is reported with its column, and nothing is stored unless every line is valid;
more than ``MAAKMATCH_IMPORT_INLINE_ROWS`` rows go to the worker.

- A company member imports for one of their companies. A coordinator imports for
  any verified or unverified company, named per row by its KvK number.
- Skills are named by their Dutch or English label or a synonym, separated by
  ``|`` (or a comma). An unknown name is reported with the closest names in the
  taxonomy (rapidfuzz), so a typo is one look away from fixed.
- Each row becomes a draft, or an open opening when its "publish" column says so.
- Importing the same file again adds nothing: a row whose company already has a
  draft or open opening with the same title, type and start date is skipped.

May import: accounts, marketplace.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz, process, utils

from accounts import imports as account_imports
from accounts import selectors as accounts_selectors
from accounts.exceptions import NotAllowed
from accounts.imports import education_level_parse, education_level_unknown
from accounts.models import (
    ImportJob,
    ImportKind,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from accounts.services import coordinator_check
from accounts.tabular import Column, ErrorList, Table
from marketplace import selectors
from marketplace.models import (
    SBB_OPENING_TYPES,
    SKILL_LEVEL_MIN,
    Importance,
    Opening,
    OpeningSkill,
    OpeningStatus,
    OpeningType,
    Place,
    Skill,
)
from marketplace.services import matching_request
from matching.engine.words import lookup_key

FUZZY_CUTOFF = 70
FUZZY_LIMIT = 3

OPENING_COLUMNS = (
    Column("title", gettext_lazy("title"), aliases=("titel", "title", "functie")),
    Column(
        "type",
        gettext_lazy("type"),
        aliases=("soort", "type", "soort plek"),
        help=gettext_lazy("BOL, BBL, job, orientation day or graduation project."),
    ),
    Column("description", gettext_lazy("description"), aliases=("omschrijving", "beschrijving")),
    Column(
        "education_levels",
        gettext_lazy("education levels"),
        aliases=("niveaus", "niveau", "opleidingsniveau", "education level", "levels"),
        help=gettext_lazy("One or more, separated by |: for example MBO 2|MBO 3."),
    ),
    Column("place", gettext_lazy("place"), aliases=("plaats", "gemeente", "municipality")),
    Column(
        "start_date",
        gettext_lazy("start date"),
        aliases=("startdatum", "start", "begindatum"),
        help=gettext_lazy("As 2027-09-01 or 1-9-2027."),
    ),
    Column(
        "end_date",
        gettext_lazy("end date"),
        aliases=("einddatum", "eind"),
        required=False,
        help=gettext_lazy("Optional."),
    ),
    Column("hours_per_week", gettext_lazy("hours per week"), aliases=("uren per week", "uren")),
    Column(
        "capacity",
        gettext_lazy("places"),
        aliases=("plaatsen", "aantal plaatsen", "places", "capacity"),
        required=False,
        help=gettext_lazy("How many people; 1 when empty."),
    ),
    Column(
        "must_skills",
        gettext_lazy("must-have skills"),
        aliases=("vereiste vaardigheden", "must haves", "must-haves", "vereist"),
        help=gettext_lazy("Skill names in Dutch or English, separated by |."),
    ),
    Column(
        "nice_skills",
        gettext_lazy("nice-to-have skills"),
        aliases=("gewenste vaardigheden", "nice to have", "pre"),
        required=False,
        help=gettext_lazy("Optional; separated by |."),
    ),
    Column(
        "publish",
        gettext_lazy("publish"),
        aliases=("publiceren", "publish", "openen"),
        required=False,
        help=gettext_lazy("yes to open the opening at once; otherwise it is a draft."),
    ),
)
KVK_COLUMN = Column(
    "kvk",
    gettext_lazy("KvK number"),
    aliases=("kvk", "kvk nummer", "kvk-nummer", "kvk number", "chamber of commerce"),
    help=gettext_lazy("The company's eight-digit KvK number."),
)
YES = {"ja", "yes", "j", "y", "1", "true", "waar"}
NO = {"nee", "no", "n", "0", "false", "onwaar", ""}


def columns_for(*, coordinator: bool) -> tuple[Column, ...]:
    return (KVK_COLUMN, *OPENING_COLUMNS) if coordinator else OPENING_COLUMNS


def _type_names() -> dict[str, str]:
    names = {
        "stage": OpeningType.BOL,
        "bol stage": OpeningType.BOL,
        "leerbaan": OpeningType.BBL,
        "werkleerplek": OpeningType.BBL,
        "baan": OpeningType.JOB,
        "vacature": OpeningType.JOB,
        "snuffeldag": OpeningType.ORIENTATION,
        "snuffelstage": OpeningType.ORIENTATION,
        "orientatiedag": OpeningType.ORIENTATION,
        "afstuderen": OpeningType.GRADUATION,
        "afstudeeropdracht": OpeningType.GRADUATION,
    }
    for language in ("nl", "en"):
        with translation.override(language):
            for value, label in OpeningType.choices:
                names[str(label).casefold()] = value
                names[value] = value
    return names


def _date_parse(text: str) -> dt.date | None:
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            return dt.date.fromisoformat("-".join(f"{int(p):02d}" for p in text.split("-")))
        match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
        if match:
            day, month, year = (int(p) for p in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


def _split(text: str) -> list[str]:
    """``a|b, c (d, e)`` -> ``[a, b, c (d, e)]``: commas inside brackets stay."""
    return [p.strip() for p in re.split(r"[|\n]|,(?![^()]*\))", text) if p.strip()]


class SkillResolver:
    """Skill names (any label or synonym) to skills, with near matches for typos."""

    def __init__(self) -> None:
        self.terms = selectors.skill_by_term()
        self.choices = list(self.terms)
        self.cache: dict[tuple[str, str], list[str]] = {}

    def resolve(self, name: str) -> Skill | None:
        return self.terms.get(name.strip().casefold())

    def near(self, name: str) -> list[str]:
        """The closest skill labels (in the reader's language), once per name: a
        fuzzy search of a full ESCO taxonomy costs milliseconds."""
        key = (name.casefold(), translation.get_language() or "nl")
        if key not in self.cache:
            self.cache[key] = self._near(name)
        return self.cache[key]

    def _near(self, name: str) -> list[str]:
        labels: list[str] = []
        for term, _score, _index in process.extract(
            name,
            self.choices,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=10,
            score_cutoff=FUZZY_CUTOFF,
        ):
            skill = self.terms[term]
            label = skill.label_en if translation.get_language() == "en" else skill.label_nl
            if label not in labels:
                labels.append(label)
            if len(labels) == FUZZY_LIMIT:
                break
        return labels


@dataclass
class OpeningPlan:
    line: int
    company: Organisation
    fields: dict[str, Any]
    skills: list[tuple[Skill, str]]
    publish: bool


@dataclass
class _Context:
    job: ImportJob
    table: Table
    errors: ErrorList
    companies: dict[str, Organisation]
    places: dict[str, Place]
    types: dict[str, str]
    skills: SkillResolver


def _company(ctx: _Context, values: dict[str, str], line: int) -> Organisation | None:
    if ctx.job.organisation_id:
        return ctx.job.organisation
    kvk = values.get("kvk", "").replace(" ", "").replace(".", "")
    if kvk.isdigit() and len(kvk) == 7:
        kvk = kvk.zfill(8)  # a spreadsheet drops the leading zero
    company = ctx.companies.get(kvk)
    if company is None:
        ctx.errors.add(
            line,
            ctx.table.header("kvk"),
            _("No company with KvK number %(kvk)s is registered.") % {"kvk": kvk[:20]}
            if kvk
            else _("The KvK number is empty."),
        )
    return company


def _skills(ctx: _Context, text: str, key: str, line: int) -> list[Skill]:
    found: list[Skill] = []
    for name in _split(text):
        skill = ctx.skills.resolve(name)
        if skill is None:
            # Past the error cap nobody reads the hint: skip the fuzzy search.
            near = ctx.skills.near(name) if not ctx.errors.dropped else []
            message = _("Unknown skill “%(name)s”.") % {"name": name[:80]}
            if near:
                message += " " + _("Did you mean: %(names)s?") % {"names": ", ".join(near)}
            ctx.errors.add(line, ctx.table.header(key), message)
        elif skill not in found:
            found.append(skill)
    return found


def _row_check(ctx: _Context, line: int, values: dict[str, str]) -> OpeningPlan | None:
    header, add = ctx.table.header, ctx.errors.add
    before = len(ctx.errors.errors) + ctx.errors.dropped
    company = _company(ctx, values, line)
    kind = ctx.types.get(lookup_key(values["type"]))
    if kind is None:
        add(
            line,
            header("type"),
            _("Unknown type; use BOL, BBL, job, orientation day or graduation project."),
        )
    levels = [education_level_parse(v) for v in _split(values["education_levels"])]
    if not levels or None in levels:
        add(line, header("education_levels"), education_level_unknown())
    place = ctx.places.get(lookup_key(values["place"]))
    if place is None:
        add(
            line,
            header("place"),
            _("Unknown municipality “%(name)s”.") % {"name": values["place"][:80]},
        )
    start = _date_parse(values["start_date"])
    if start is None:
        add(line, header("start_date"), _("Write the date as 2027-09-01 or 1-9-2027."))
    end = _date_parse(values.get("end_date", "")) if values.get("end_date") else None
    if values.get("end_date") and end is None:
        add(line, header("end_date"), _("Write the date as 2027-09-01 or 1-9-2027."))
    if start and end and end < start:
        add(line, header("end_date"), _("The end date cannot be before the start date."))
    numbers: dict[str, int] = {}
    for key, default, low, high in (("hours_per_week", None, 1, 60), ("capacity", 1, 1, 500)):
        raw = values.get(key, "")
        if not raw and default is not None:
            numbers[key] = default
        elif re.fullmatch(r"\d{1,4}", raw) and low <= int(raw) <= high:
            numbers[key] = int(raw)
        else:
            add(
                line,
                header(key),
                _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
            )
    publish_text = values.get("publish", "").casefold()
    if publish_text not in YES | NO:
        add(line, header("publish"), _("Write yes or no."))
    must = _skills(ctx, values["must_skills"], "must_skills", line)
    nice = [
        s for s in _skills(ctx, values.get("nice_skills", ""), "nice_skills", line) if s not in must
    ]
    if not _split(values["must_skills"]):
        add(line, header("must_skills"), _("Name at least one must-have skill."))
    if company is not None and kind in SBB_OPENING_TYPES and not company.sbb_recognised:
        add(
            line,
            header("type"),
            _("Only SBB-recognised companies offer BOL internships and BBL apprenticeships."),
        )
    if len(ctx.errors.errors) + ctx.errors.dropped > before:
        return None
    fields = {
        "title": values["title"],
        "description": values["description"],
        "type": kind,
        "education_levels": sorted(set(levels)),
        "place": place,
        "start_date": start,
        "end_date": end,
        **numbers,
    }
    opening = Opening(company=company, status=OpeningStatus.DRAFT, **fields)
    try:
        opening.full_clean(exclude=["slug"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            add(line, header(key) if key in fields else "", messages[0])
        return None
    return OpeningPlan(
        line=line,
        company=company,
        fields=fields,
        skills=[(s, Importance.MUST) for s in must] + [(s, Importance.NICE) for s in nice],
        publish=publish_text in YES,
    )


def _key(company_id: int, fields: dict[str, Any]) -> tuple[int, str, str, dt.date]:
    return (company_id, fields["title"].casefold(), fields["type"], fields["start_date"])


def openings_check(
    job: ImportJob, table: Table, progress: Callable[[int], None]
) -> list[OpeningPlan]:
    ctx = _Context(
        job=job,
        table=table,
        errors=ErrorList(),
        companies={}
        if job.organisation_id
        else {
            c.kvk_number: c
            for c in Organisation.objects.filter(kind=OrganisationKind.COMPANY).exclude(
                kvk_number=""
            )
        },
        places={lookup_key(p.name): p for p in Place.objects.all()},
        types=_type_names(),
        skills=SkillResolver(),
    )
    plans: list[OpeningPlan] = []
    seen: dict[tuple, int] = {}
    for done, row in enumerate(table.rows, start=1):
        plan = _row_check(ctx, row.line, row.values)
        if plan is not None:
            key = _key(plan.company.pk, plan.fields)
            if key in seen:
                ctx.errors.add(
                    row.line,
                    "",
                    _("The same opening (title, type and start date) as line %(line)s.")
                    % {"line": seen[key]},
                )
            else:
                seen[key] = row.line
                plans.append(plan)
        progress(done)
    ctx.errors.raise_if_any()
    return plans


def _slugs(titles: list[str]) -> list[str]:
    bases = [slugify(title)[:200] or "vacature" for title in titles]
    taken = set(Opening.objects.filter(slug__in=bases).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug = base
        while slug in taken:
            slug = f"{base}-{secrets.token_hex(3)}"
        taken.add(slug)
        slugs.append(slug)
    return slugs


def openings_save(job: ImportJob, plans: list[OpeningPlan]) -> tuple[int, int]:
    """Create the openings that are not there yet, with their skills, in bulk."""
    companies = {plan.company.pk for plan in plans}
    # Lock the companies, so that two imports of one file at once cannot both add.
    list(Organisation.objects.select_for_update().filter(pk__in=companies).order_by("pk"))
    # Titles compared in Python, the same way as the file's rows (SQL LOWER
    # differs from casefold for "ß", and on SQLite for any non-ASCII capital).
    existing = {
        (company, title.casefold(), kind, start)
        for company, title, kind, start in Opening.objects.filter(
            company__in=companies, status__in=[OpeningStatus.DRAFT, OpeningStatus.OPEN]
        ).values_list("company_id", "title", "type", "start_date")
    }
    new = [p for p in plans if _key(p.company.pk, p.fields) not in existing]
    now = timezone.now()
    openings = [
        Opening(
            company=plan.company,
            slug=slug,
            status=OpeningStatus.OPEN if plan.publish else OpeningStatus.DRAFT,
            published_at=now if plan.publish else None,
            expires_at=now + dt.timedelta(days=settings.MAAKMATCH_OPENING_OPEN_DAYS)
            if plan.publish
            else None,
            **plan.fields,
        )
        for plan, slug in zip(new, _slugs([p.fields["title"] for p in new]), strict=True)
    ]
    for attempt in range(3):
        try:
            with transaction.atomic():
                Opening.objects.bulk_create(openings, batch_size=500)
            break
        except IntegrityError:
            # Another import or editor took one of the slugs meanwhile: new suffixes.
            if attempt == 2:
                raise
            for opening in openings:
                opening.pk = None
                opening.slug = f"{opening.slug[:200]}-{secrets.token_hex(3)}"
    OpeningSkill.objects.bulk_create(
        (
            OpeningSkill(
                opening=opening, skill=skill, importance=importance, min_level=SKILL_LEVEL_MIN
            )
            for opening, plan in zip(openings, new, strict=True)
            for skill, importance in plan.skills
        ),
        batch_size=1000,
    )
    for opening in openings:
        if opening.status == OpeningStatus.OPEN:
            matching_request(Opening, opening.pk, "worker.match_opening")
    return len(new), len(plans) - len(new)


def openings_import_start(
    *, by: User, organisation: Organisation | None, filename: str, data: bytes
) -> ImportJob:
    """A member imports for ``organisation`` (their company); a coordinator passes
    ``None`` and names each row's company by KvK number."""
    if organisation is None:
        coordinator_check(
            user=by, refusal=_("Only the region's coordinators import openings for any company.")
        )
    elif organisation.kind != OrganisationKind.COMPANY or not accounts_selectors.user_has_role(
        user=by, role=Role.COMPANY_MEMBER, organisation=organisation
    ):
        raise NotAllowed(_("Only the company's own members manage its openings."))
    return account_imports.job_start(
        kind=ImportKind.OPENINGS,
        organisation=organisation,
        by=by,
        filename=filename,
        data=data,
        columns=columns_for(coordinator=organisation is None),
        check=openings_check,
        save=openings_save,
    )


def openings_template_csv(*, coordinator: bool) -> str:
    example = [
        _("Mechatronics intern"),
        "BOL",
        _("You help our service engineers maintain packaging machines."),
        "MBO 3|MBO 4",
        "Woerden",
        "2027-09-01",
        "2028-01-31",
        "32",
        "2",
        _("Reading technical drawings") + "|PLC",
        "",
        _("no"),
    ]
    if coordinator:
        example = ["12345678", *example]
    return account_imports.template_csv(columns_for(coordinator=coordinator), example)


def job_run(*, job_id: int) -> str:
    """The worker's entry for any import job: each kind with its own columns and rules."""
    job = ImportJob.objects.filter(pk=job_id).only("kind", "organisation_id").first()
    if job is None:
        return "gone"
    if job.kind == ImportKind.STUDENTS:
        return account_imports.students_job_run(job_id=job_id)
    return account_imports.job_run(
        job_id=job_id,
        columns=columns_for(coordinator=job.organisation_id is None),
        check=openings_check,
        save=openings_save,
    )
