"""HTML pages and static assets: the parcel map today; the applicant space, back office and public map later."""
