"""Scanned-table fixtures, made at test time: the truth documents' PDFs printed to images by poppler's
``pdftoppm`` and bound again as image-only PDFs, plain or spoiled the ways real scans are (turned 90°,
askew with speckle, a red seal stamped over the figures). The truth is copied under each fixture's id
without changing a value, so ``score.py`` scores the OCR path exactly as it scores the text layer.

Used by ``tests/test_ocr.py`` (a few documents, only the pages the truth cites) and by
``benchmarks/bench_ocr.py`` (every page of every truth document).
"""

from __future__ import annotations

import csv
import math
import random
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from tests.truth_fixtures import copy_truth

Spoil = Callable[[Image.Image, random.Random], Image.Image]


def _plain(image: Image.Image, rng: random.Random) -> Image.Image:
    return image


def _turned(image: Image.Image, rng: random.Random) -> Image.Image:
    """The page scanned lying on its side (a landscape table fed in portrait)."""
    return image.rotate(90, expand=True)


def _askew_speckled(image: Image.Image, rng: random.Random) -> Image.Image:
    """1.2° askew, blurred a little, with salt-and-pepper speckle."""
    image = image.convert("RGB").rotate(-1.2, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=(255, 255, 255))
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    pixels = image.load()
    width, height = image.size
    for _ in range(width * height // 400):
        x, y = rng.randrange(width), rng.randrange(height)
        pixels[x, y] = (0, 0, 0) if rng.random() < 0.5 else (255, 255, 255)
    return image


def _sealed(image: Image.Image, rng: random.Random) -> Image.Image:
    """A red official seal (ring, star, arc of strokes) stamped half over the page's content, multiplied into the ink."""
    image = image.convert("RGB")
    width, height = image.size
    radius = width // 8
    cx, cy = int(width * rng.uniform(0.45, 0.7)), int(height * rng.uniform(0.3, 0.6))
    seal = Image.new("RGB", image.size, (255, 255, 255))
    draw = ImageDraw.Draw(seal)
    red = (220, 30, 40)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=red, width=max(radius // 12, 3))
    star = [(cx + radius * 0.3 * math.cos(math.radians(90 + 72 * i / 2)) * (1 if i % 2 == 0 else 0.4),
             cy - radius * 0.3 * math.sin(math.radians(90 + 72 * i / 2)) * (1 if i % 2 == 0 else 0.4)) for i in range(10)]
    draw.polygon(star, fill=red)
    for i in range(14):  # the seal's ring of characters, as strokes
        angle = math.radians(200 + i * 10)
        x, y = cx + radius * 0.72 * math.cos(angle), cy + radius * 0.72 * math.sin(angle)
        draw.rectangle((x - radius * 0.06, y - radius * 0.06, x + radius * 0.06, y + radius * 0.06), outline=red, width=3)
    return Image.fromarray(_multiply(image, seal))


def _multiply(image: Image.Image, stamp: Image.Image):  # type: ignore[no-untyped-def]
    import numpy as np

    a = np.asarray(image, dtype=np.uint16)
    b = np.asarray(stamp, dtype=np.uint16)
    return (a * b // 255).astype(np.uint8)


@dataclass(frozen=True)
class Variant:
    dpi: int
    spoil: Spoil


VARIANTS: dict[str, Variant] = {
    "scan150": Variant(150, _plain),
    "scan200": Variant(200, _plain),
    "turned150": Variant(150, _turned),
    "askew150": Variant(150, _askew_speckled),
    "sealed150": Variant(150, _sealed),
}


def truth_pages(truth: Path, doc_id: str) -> set[int]:
    with (truth / f"{doc_id}.values.csv").open(encoding="utf-8", newline="") as f:
        return {int(row["page"]) for row in csv.DictReader(f) if row.get("page")}


def source_pdf(truth: Path, doc_id: str) -> Path | None:
    return next((truth.parents[2] / "corpus").rglob(f"{doc_id}.pdf"), None)


def scan(source: Path, target: Path, variant: Variant, keep: set[int] | None, seed: int = 1) -> None:
    """Print ``source`` to images with pdftoppm, spoil them, and bind them as an image-only PDF.

    With ``keep``, the other pages are left white (same size, so page numbers stay), which saves their OCR
    time; page 1 is always kept for the document's identity.
    """
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise RuntimeError("pdftoppm (poppler-utils) makes the scanned fixtures; .ci/run installs it")
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([tool, "-r", str(variant.dpi), "-png", str(source), f"{tmp}/p"], check=True, capture_output=True, timeout=600)
        images = []
        for path in sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1])):
            number = int(path.stem.split("-")[-1])
            with Image.open(path) as page:
                image = page.convert("RGB")
            if keep is not None and number != 1 and number not in keep:
                image = Image.new("RGB", image.size, (255, 255, 255))
            else:
                image = variant.spoil(image, rng)
            images.append(image)
        images[0].save(target, save_all=True, append_images=images[1:], resolution=float(variant.dpi))


def build(truth: Path, out: Path, doc_ids: Iterable[str], variants: Iterable[str], cited_pages_only: bool) -> tuple[Path, Path]:
    """Scanned fixtures in ``out/files`` and their truth in ``out/truth``; returns both folders."""
    files, copied = out / "files", out / "truth"
    files.mkdir(parents=True, exist_ok=True)
    copied.mkdir(parents=True, exist_ok=True)
    for doc_id in doc_ids:
        source = source_pdf(truth, doc_id)
        if source is None:
            continue
        keep = truth_pages(truth, doc_id) if cited_pages_only else None
        for name in variants:
            fixture_id = f"{doc_id}__{name}"
            scan(source, files / f"{fixture_id}.pdf", VARIANTS[name], keep)
            copy_truth(truth, doc_id, copied, fixture_id)
            if cited_pages_only:  # the narrative pages are left white: no facts to find
                facts = (truth / f"{doc_id}.facts.csv").read_text(encoding="utf-8").splitlines()[:1]
                (copied / f"{fixture_id}.facts.csv").write_text("\n".join(facts) + "\n", encoding="utf-8")
    return files, copied
