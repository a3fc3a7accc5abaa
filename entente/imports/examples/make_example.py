"""Write commitments-example.xlsx: a follow-up sheet as an agency keeps one by hand.

A title above the table, group names in merged cells over the column names, dates
typed as text in French and Dutch (and one real Excel date), statuses in both
languages, a blank row and a total row. Run it again after changing it:

    python entente/imports/examples/make_example.py
"""

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent

ROWS = [
    # N°, title, responsible, due date, status, progress, remarks
    (1, "Désigner le point de contact central", "DGSN", "15 mars 2026", "Réalisé", 100, ""),
    (2, "Contactpunt Politie aanwijzen", "Politie", "1 april 2026", "Afgerond", 100, ""),
    (
        3,
        "Échanger les listes de correspondants",
        "DGSN",
        "30/06/2026",
        "En cours",
        40,
        "Liste NL reçue",
    ),
    None,  # a blank row, as people leave between blocks
    (4, "Jaarlijks overzicht van verzoeken", "Politie", "2026-09-30", "Gepland", 0, ""),
    (
        5,
        "Atelier sur la cybercriminalité",
        "DGSN",
        dt.date(2026, 11, 20),
        "Reporté",
        0,
        "Date à revoir",
    ),
    (6, "Evaluatie van de samenwerking", "Politie", "15 december 2026", "Lopend", 25, ""),
]


def build(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Suivi"
    sheet["A1"] = "Suivi des engagements — Lettre d'intention DGSN-DGST / Politie"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:G1")
    # Row 2 left empty under the title. Row 3: the groups, row 4: the column names.
    sheet["A3"] = "N°"
    sheet.merge_cells("A3:A4")
    for first, last, group in (
        ("B", "C", "Engagement"),
        ("D", "E", "Échéance"),
        ("F", "G", "Suivi"),
    ):
        sheet[f"{first}3"] = group
        sheet.merge_cells(f"{first}3:{last}3")
    for column, name in zip(
        "BCDEFG",
        ("Intitulé", "Responsable", "Date prévue", "Statut", "Avancement (%)", "Remarques"),
        strict=True,
    ):
        sheet[f"{column}4"] = name
    for cell in (*sheet[3], *sheet[4]):
        cell.font = Font(bold=True)
    row = 5
    for values in ROWS:
        if values is not None:
            for column, value in zip("ABCDEFG", values, strict=True):
                sheet[f"{column}{row}"] = value
            if isinstance(values[3], dt.date):
                sheet[f"D{row}"].number_format = "DD/MM/YYYY"
        row += 1
    sheet[f"A{row}"] = "Total"
    sheet[f"B{row}"] = "6 engagements"
    sheet[f"F{row}"] = 265
    sheet.column_dimensions["B"].width = 45
    book.save(path)


if __name__ == "__main__":
    build(HERE / "commitments-example.xlsx")
