"""Interpretation: what the layout stage located (tables, narrative, the title pages' identity) turned into the
output records, with the warnings each step gives.

- :mod:`.document`: what the document is (a disclosure, a listing, a portal page …), its identity and source
  as records, and the warnings on what it holds;
- :mod:`.tables`: a located table's rows (codes, levels, parents, budget units), columns (measure, year,
  component) and exact cell values, and its verdict from the checks;
- :mod:`.figures`: the figures and line items the narrative states, with their sentences;
- :mod:`.ocr`: the confidence OCR had in each figure, and the figures to verify on a page image.
"""
