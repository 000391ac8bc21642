"""Trust Fund format: ``tfhs``, the project-register CSV whose schema :mod:`etl.parsers.tfhs` defines."""

from __future__ import annotations

from pathlib import Path

from etl.formats import Detected, Format, ImportError_, Parsed, register
from etl.rawzone import utc_now


class TfhsRegister(Format):
    name = "tfhs"
    summary = "UN Trust Fund for Human Security project register (schema in etl/parsers/tfhs.py)"
    priority = 30

    def claims(self, path: Path, header: list[str]) -> bool:
        return path.is_file() and header[:1] == ["project_id"]

    def describe(self, path: Path, options: dict) -> Detected:
        if path.is_dir():
            raise ImportError_(f"{path} is a folder; pass the register CSV itself")
        return Detected(self.name, "tfhs-register", {path.name: path}, "", options)

    def origin(self, det: Detected) -> dict:
        return {"retrieved_at": utc_now(), "notes": "",
                "publisher": "Trust Fund for Human Security project register (as imported)",
                "title": "United Nations Trust Fund for Human Security projects",
                "url": "https://www.un.org/humansecurity/", "licence": "as published by UNTFHS",
                "citation": "UN Trust Fund for Human Security, project register (imported CSV)."}

    def parse(self, files: dict, options: dict, ctx) -> Parsed:
        from etl.parsers.tfhs import parse_register

        main = next(iter(files))
        return Parsed("tfhs_project", parse_register(files[main].path.read_bytes()), main=main)


register(TfhsRegister())
