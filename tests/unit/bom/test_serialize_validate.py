"""Serial numbers come from the content; validation rejects what the schema rejects."""

from __future__ import annotations

import re

import pytest

from aibom.bom import serialize, validate
from aibom.bom.model import Spec


def _doc(name: str) -> dict[str, object]:
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "",
        "version": 1,
        "components": [{"type": "library", "bom-ref": name, "name": name}],
    }


def test_serial_number_is_derived_from_the_content() -> None:
    a1, a2, b = (
        serialize.to_json(_doc("a")),
        serialize.to_json(_doc("a")),
        serialize.to_json(_doc("b")),
    )
    assert a1 == a2 and a1 != b
    serial = re.search(r'"serialNumber":"([^"]+)"', a1)
    assert serial and re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", serial.group(1))
    assert serial.group(1)[23] == "5"  # a name-based (version 5) UUID
    assert a1.endswith("}\n")


@pytest.mark.parametrize("spec", list(Spec))
def test_validation_accepts_and_rejects(spec: Spec) -> None:
    doc = _doc("a")
    doc["specVersion"] = spec.value
    doc["serialNumber"] = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
    assert validate.errors(doc, spec) == []
    doc["components"] = [{"type": "library"}]  # no name
    assert validate.errors(doc, spec)
    with pytest.raises(validate.InvalidBomError) as raised:
        validate.check(doc, spec)
    assert "components/0" in raised.value.message
    doc["components"] = [{"type": "library", "name": "x", "properties": [{"value": "v"}]}]
    assert validate.errors(doc, spec)
