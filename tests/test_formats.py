"""Import formats register themselves (etl/formats/): detection, the CLI's --format choices and loading all follow
the registry — adding a format is one module, not an edit of if/elif chains elsewhere."""

from __future__ import annotations

import pytest

from etl import formats
from etl.formats import Detected, Format, ImportError_


def test_every_module_registers_its_formats():
    names = formats.names()
    assert {"owid", "owid-grapher", "wdi-bulk", "hdr", "tfhs", "datapackage", "csv"} <= set(names)
    assert all(formats.get(n).summary for n in names)


def test_the_import_command_offers_exactly_the_registered_formats():
    from etl.import_cli import import_

    choice = next(p for p in import_.params if p.name == "fmt").type
    assert list(choice.choices) == formats.names()


def test_a_new_format_is_found_by_detection_without_other_changes(tmp_path, monkeypatch):
    class Toy(Format):  # SYNTHETIC format, registered for this test only
        name, summary, priority = "toy", "toy files", 1

        def claims(self, path, header):
            return header[:1] == ["TOY"]

        def describe(self, path, options):
            return Detected(self.name, "toy-source", {path.name: path})

    monkeypatch.setitem(formats._REGISTRY, "toy", Toy())
    path = tmp_path / "x.csv"
    path.write_text("TOY,1\n", encoding="utf-8")
    assert formats.detect(path).source_id == "toy-source"
    path.write_text("NOT,1\n", encoding="utf-8")
    with pytest.raises(ImportError_, match="cannot tell the format"):
        formats.detect(path)


def test_header_sniffing_reads_a_bounded_prefix(tmp_path):
    """SYNTHETIC: a header line longer than the sniff limit is not read whole."""
    path = tmp_path / "long.csv"
    path.write_bytes(b"Entity," + b"x" * (formats.HEADER_BYTES * 4) + b"\n")
    assert len(",".join(formats.header_of(path))) <= formats.HEADER_BYTES
