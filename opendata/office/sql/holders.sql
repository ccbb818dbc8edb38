-- Who holds each of the given files besides the desk: the agencies whose opinion is pending, and the commission of
-- the file's active booking. One row per holder: (file, kind, name in French, Arabic, English).
SELECT o.dossier_id, 'agency' AS kind, a.name_fr, a.name_ar, a.name_en
FROM permits_consultation o JOIN parcels_agency a ON a.id = o.agency_id
WHERE o.dossier_id = ANY(%(files)s::bigint[]) AND o.status = %(pending)s
UNION ALL
SELECT b.dossier_id, 'commission', m.name_fr, m.name_ar, ''
FROM commissions_booking b
JOIN commissions_session s ON s.id = b.session_id
JOIN commissions_commission m ON m.id = s.commission_id
WHERE b.dossier_id = ANY(%(files)s::bigint[]) AND b.status = %(active)s
ORDER BY 1, 2, 3;
