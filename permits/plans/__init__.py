"""Plan review (issue 12): annotations and calibrated measurements on the plans of a file, per document version,
in PDF user-space points of the unrotated page (origin at the MediaBox's lower-left, y up; raster plans: one page
of image pixels at 72 dpi). The stored documents are never modified.

- `models.py`: the page boxes read once (`PlanPage`), a page's scale (`PlanCalibration`), the annotations
  (`PlanAnnotation`) and the colour of each author role;
- `measure.py`: the pure maths (distance, path length, area and perimeter, angle, metres per point);
- `geometry.py`: the checks of an annotation's points (finite, inside the page box with a margin, count per kind);
- `lifecycles.py`: the annotation's machine (open, resolved, withdrawn), the only writer of its status;
- `services.py`: every write (calibrate, annotate, update, resolve/reopen, withdraw, remark from an annotation),
  audited; `carry.py`: the annotations and calibrations carried forward to a revised version;
- `guards.py`: a remark is closed only when its annotations are resolved or withdrawn;
- `selectors.py`: the reads of the API and the pages (visibility: the file's document visibility);
- `exports.py`: the annotated copy of a version and the comparison of two versions' pages, over `pdf/`.
"""
