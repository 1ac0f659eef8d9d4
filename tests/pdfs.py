"""Reading the PDFs the site makes as a reader would: the words on the pages and the structure a
screen reader follows."""

import io
import re
from collections.abc import Iterator

import pikepdf


def pdf_text(data: bytes) -> str:
    """The words on a PDF's pages, read through each font's ToUnicode map (WeasyPrint writes
    glyph ids, so the text is not in the content stream as characters)."""
    pdf = pikepdf.open(io.BytesIO(data))
    pieces: list[str] = []
    for page in pdf.pages:
        fonts = {
            str(name): (_to_unicode(font), font.get("/Subtype") == "/Type0")
            for name, font in page.Resources.get("/Font", {}).items()
        }
        current: tuple[dict[int, str], bool] = ({}, False)
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op == "Tf":
                current = fonts.get(str(operands[0]), ({}, False))
            elif op in ("Tj", "TJ"):
                mapping, wide = current
                items = operands[0] if op == "TJ" else [operands[0]]
                for item in items:
                    if isinstance(item, pikepdf.String):
                        raw, step = bytes(item), 2 if wide else 1
                        pieces.extend(
                            mapping.get(int.from_bytes(raw[i : i + step], "big"), "")
                            for i in range(0, len(raw), step)
                        )
                    elif float(item) < -200:
                        pieces.append(" ")
            elif op in ("ET", "Td", "TD", "T*"):
                pieces.append(" ")
    return " ".join("".join(pieces).split())


def _to_unicode(font) -> dict[int, str]:
    if "/ToUnicode" not in font:
        return {}
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for source, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[int(source, 16)] = bytes.fromhex(target).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, target in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(int(target, 16) + offset)
    return mapping


def structure_elements(node) -> Iterator[pikepdf.Dictionary]:
    """Every structure element (a dictionary with /S) under `node`, depth first."""
    if not isinstance(node, pikepdf.Dictionary):
        return
    if "/S" in node:
        yield node
    kids = node.get("/K")
    if isinstance(kids, pikepdf.Array):
        for kid in kids:
            yield from structure_elements(kid)
    elif isinstance(kids, pikepdf.Dictionary):
        yield from structure_elements(kids)
