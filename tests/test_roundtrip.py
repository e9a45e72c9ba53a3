"""A committee that uses pretalx or frab hands us its data and gets a solved timetable back in the same format."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from scheduler.cli import main
from scheduler.loader import load_conference
from scheduler.timetable_io import read_timetable

FORMATS = Path(__file__).resolve().parents[1].parent / "shared" / "formats"


@pytest.fixture(scope="module")
def schemas():
    assert (FORMATS / "schedule.xml.xsd").exists(), f"schemas missing: expected them in {FORMATS}"
    xsd = xmlschema.XMLSchema(str(FORMATS / "schedule.xml.xsd"))
    json_schema = json.loads((FORMATS / "schema.json").read_text(encoding="utf-8"))
    return xsd, json_schema


@pytest.mark.slow
def test_pretalx_import_solve_export_frab_then_frab_round_trip(tmp_path, schemas, capsys):
    xsd, json_schema = schemas
    conf, out = tmp_path / "democon", tmp_path / "out"
    assert main(["import", "pretalx", str(FORMATS / "pretalx-democon.json"), "--out", str(conf)]) == 0
    assert main(["solve", str(conf), "--out", str(out), "--time-limit", "10", "--quiet"]) == 0
    assert main(["check", str(conf), str(out / "timetable.csv")]) == 0
    xml, js = tmp_path / "schedule.xml", tmp_path / "schedule.json"
    assert main(["export", str(conf), "--timetable", str(out / "timetable.csv"), "--format", "frab-xml",
                 "--out", str(xml)]) == 0
    assert main(["export", str(conf), "--timetable", str(out / "timetable.csv"), "--format", "frab-json",
                 "--out", str(js)]) == 0
    xsd.validate(str(xml))
    jsonschema.validate(json.loads(js.read_text(encoding="utf-8")), json_schema)

    # Our own frab XML goes back in: same sessions, and the solved times come back as the reference timetable.
    again = tmp_path / "again"
    assert main(["import", "frab", str(xml), "--out", str(again)]) == 0
    first, second = load_conference(conf), load_conference(again)
    assert sorted(s.title for s in first.sessions) == sorted(s.title for s in second.sessions)
    assert sorted(s.duration_min for s in first.sessions) == sorted(s.duration_min for s in second.sessions)
    solved = read_timetable(out / "timetable.csv", first)
    reference = read_timetable(again / "reference-timetable.csv", second)
    by_title = {first.session_by_id[a.session_id].title: (a.start, a.end) for a in solved.assignments}
    assert {second.session_by_id[a.session_id].title: (a.start, a.end) for a in reference.assignments} == by_title
    out2 = tmp_path / "out2"
    assert main(["solve", str(again), "--out", str(out2), "--time-limit", "10", "--quiet"]) == 0
    xml2 = tmp_path / "schedule2.xml"
    assert main(["export", str(again), "--timetable", str(out2 / "timetable.csv"), "--format", "frab-xml",
                 "--out", str(xml2)]) == 0
    xsd.validate(str(xml2))
