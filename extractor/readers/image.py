"""Reader for scans published as pictures (PNG, JPEG, TIFF with several pages, GIF, BMP): every frame OCR'd
into a page, as a scanned PDF page is."""

from __future__ import annotations

import io

from PIL import Image, ImageSequence, UnidentifiedImageError

from extractor.errors import CorruptInputError, NoTextLayerError
from extractor.model import Page
from extractor.readers import ocr

NAME = "pillow+rapidocr"
_DEFAULT_DPI = 150.0  # when the file does not say
_MAX_PIXELS = 60_000_000  # a frame larger than this is refused (a decompression bomb)


def read_image(data: bytes, ocr_mode: str = "auto", max_pages: int | None = None) -> tuple[Page, ...]:
    """OCR each frame of a picture file into a page whose size in points comes from the file's resolution."""
    if ocr_mode == "never":
        raise NoTextLayerError("a picture has no text layer; OCR is off (--ocr never)")
    if not ocr.available():
        raise NoTextLayerError(f"a picture has no text layer; {ocr.install_hint()}")
    import numpy as np

    try:
        with Image.open(io.BytesIO(data)) as picture:
            pages = []
            for index, frame in enumerate(ImageSequence.Iterator(picture)):
                if max_pages is not None and index >= max_pages:
                    break
                if frame.width * frame.height > _MAX_PIXELS:
                    raise CorruptInputError(f"picture frame {index + 1} is {frame.width}×{frame.height} pixels, over the limit")
                dpi = float((frame.info.get("dpi") or (_DEFAULT_DPI,))[0] or _DEFAULT_DPI)
                rgb = np.asarray(frame.convert("RGB"))
                pages.append(ocr.recognise(rgb, index + 1, 72 / dpi))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as e:
        raise CorruptInputError(f"picture cannot be decoded: {e}") from e
    return tuple(pages)
