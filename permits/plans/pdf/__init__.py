"""Plan review over PDF bytes and plain data (issue 12; no models here, the `permits.plans` domain calls them).

- `compare.py`: `compare_pages`, the changed regions between two versions of a plan page and their picture
  (PDFium renders, numpy aligns and groups).
- `annotated.py`: `annotated_copy`, the plan with the review's annotations written as standard PDF annotations
  (with appearance streams and `/Measure` on calibrated pages) and a last page summarising the remarks, appended
  as an incremental update: the original's bytes, and so its signatures, are untouched.
- `appearance.py`: the drawing of each annotation (its appearance stream), text as shaped glyph outlines.
- `errors.py`: an unreadable plan, an annotation that cannot be drawn (422 problems).
"""
