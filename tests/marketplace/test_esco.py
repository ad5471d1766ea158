"""ESCO import: the official CSV format, merged by URI, idempotent, filtered to the
chosen skill groups; local skills untouched; a broken file stores nothing."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from marketplace.models import Skill
from tests import factories

pytestmark = pytest.mark.django_db
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "esco"
URI = "http://data.europa.eu/esco/skill/0a0f0a7e-1111-4aaa-8aaa-00000000000"


def _import(folder: Path = FIXTURE, *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "import_esco",
        "--skills",
        str(folder / "skills_nl.csv"),
        "--skills-en",
        str(folder / "skills_en.csv"),
        *extra,
        stdout=out,
    )
    return out.getvalue()


def _rows() -> list[tuple]:
    return sorted(
        Skill.objects.values_list(
            "slug", "esco_uri", "label_nl", "label_en", "synonyms", "category", "description"
        )
    )


def test_import_twice_gives_the_same_rows() -> None:
    local = factories.SkillFactory(slug="cnc-draaien", label_nl="CNC-draaien", label_en="CNC")
    broader = ("--broader", str(FIXTURE / "broaderRelationsSkillPillar.csv"))
    first = _import(FIXTURE, *broader)
    assert "4 created" in first
    assert "1 outside the chosen groups" in first  # writing poetry is not manufacturing
    rows = _rows()
    again = _import(FIXTURE, *broader)
    assert "0 created, 0 updated, 4 unchanged" in again
    assert _rows() == rows
    lathe = Skill.objects.get(esco_uri=URI + "1")
    assert (lathe.label_nl, lathe.label_en) == ("draaibank bedienen", "operate lathe machine")
    assert "draaibank gebruiken" in lathe.synonyms
    assert "run a lathe" in lathe.synonyms
    assert lathe.category == "production"
    assert Skill.objects.get(esco_uri=URI + "3").category == "logistics"
    assert Skill.objects.get(esco_uri=URI + "4").category == "installation"
    assert not Skill.objects.filter(esco_uri=URI + "5").exists()
    local.refresh_from_db()
    assert (local.label_nl, local.esco_uri) == ("CNC-draaien", "")


def test_without_the_group_file_every_skill_comes_in() -> None:
    assert "5 created" in _import()
    assert Skill.objects.filter(esco_uri__startswith=URI).count() == 5


def test_a_broken_file_stores_nothing(tmp_path: Path) -> None:
    shutil.copy(FIXTURE / "skills_nl.csv", tmp_path / "skills_nl.csv")
    text = (FIXTURE / "skills_en.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[4] = lines[4].replace("http://data.europa.eu/esco/skill/", "urn:nonsense:")
    (tmp_path / "skills_en.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 5"):
        _import(tmp_path)
    assert not Skill.objects.exists()
    (tmp_path / "skills_en.csv").write_bytes("conceptUri;preferredLabel\n".encode("latin-1"))
    with pytest.raises(CommandError, match="missing column"):
        _import(tmp_path)
    (tmp_path / "skills_en.csv").write_bytes(b"conceptUri,preferredLabel\n\xff\xfe,x\n")
    with pytest.raises(CommandError, match="UTF-8"):
        _import(tmp_path)
    assert not Skill.objects.exists()


def test_a_byte_order_mark_is_fine(tmp_path: Path) -> None:
    for name in ("skills_nl.csv", "skills_en.csv"):
        data = (FIXTURE / name).read_bytes()
        (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + data)
    assert "5 created" in _import(tmp_path)


RELATIONS = ("--relations", str(FIXTURE / "occupationSkillRelations_en.csv"))
OCCUPATIONS = ("--occupations", str(FIXTURE / "occupations_en.csv"))


def test_relations_keep_the_skills_that_occupations_need() -> None:
    """Wiring (4) is needed by no occupation in the file: it stays out."""
    output = _import(FIXTURE, *RELATIONS)
    assert "4 created" in output
    assert set(Skill.objects.values_list("esco_uri", flat=True)) == {
        URI + n for n in ("1", "2", "3", "5")
    }


def test_relations_with_occupations_keep_only_the_regions_isco_groups() -> None:
    """The poet (ISCO 2641) is not the region's; turner, welder and forklift driver are."""
    _import(FIXTURE, *RELATIONS, *OCCUPATIONS)
    assert set(Skill.objects.values_list("esco_uri", flat=True)) == {
        URI + n for n in ("1", "2", "3")
    }
    _import(FIXTURE, *RELATIONS, *OCCUPATIONS)  # again: the same rows
    assert Skill.objects.count() == 3


def test_essential_relations_only_and_chosen_isco_groups() -> None:
    _import(FIXTURE, *RELATIONS, *OCCUPATIONS, "--relation-type", "essential", "--isco", "72")
    assert set(Skill.objects.values_list("esco_uri", flat=True)) == {URI + "1", URI + "2"}


def test_all_three_filters_together() -> None:
    broader = ("--broader", str(FIXTURE / "broaderRelationsSkillPillar.csv"))
    _import(FIXTURE, *broader, *RELATIONS, *OCCUPATIONS)
    assert Skill.objects.count() == 3  # poetry fails both; wiring fails the relations


def test_a_broken_relations_file_stores_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "occupationSkillRelations_en.csv"
    lines = (FIXTURE / "occupationSkillRelations_en.csv").read_text().splitlines()
    lines[3] = lines[3].replace("essential", "sometimes")
    broken.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match="line 4"):
        _import(FIXTURE, "--relations", str(broken))
    with pytest.raises(CommandError, match="--occupations needs --relations"):
        _import(FIXTURE, *OCCUPATIONS)
    assert not Skill.objects.exists()
