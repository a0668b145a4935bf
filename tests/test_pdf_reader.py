"""The PDF reader's page model: ruling lines in page space whatever draws them."""

from __future__ import annotations

from extractor.readers.pdf import read_pdf


def _pdf(objects: list[bytes]) -> bytes:
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    return out + f"trailer<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()


def test_rules_drawn_inside_a_form_xobject_are_placed_on_the_page() -> None:
    content = b"q 1 0 0 1 100 200 cm /Fm0 Do Q"
    form = b"0 0 m 50 0 l S 0 0 m 0 40 l S"
    data = _pdf([
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</XObject<</Fm0 5 0 R>>>>/Contents 4 0 R>>",
        b"<</Length %d>>stream\n" % len(content) + content + b"\nendstream",
        b"<</Type/XObject/Subtype/Form/BBox[0 0 500 500]/Length %d>>stream\n" % len(form) + form + b"\nendstream",
    ])
    rules = read_pdf(data)[0].rules
    horizontal = next(r for r in rules if r.horizontal)
    vertical = next(r for r in rules if not r.horizontal)
    assert 98 <= horizontal.x0 <= 101 and 149 <= horizontal.x1 <= 152 and abs(horizontal.top - 642) < 1.5
    assert abs(vertical.x0 - 100) < 1.5 and 600 <= vertical.top <= 603 and 641 <= vertical.bottom <= 644
