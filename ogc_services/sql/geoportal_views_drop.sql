DROP VIEW IF EXISTS geoportal.authorised_projects, geoportal.overlays, geoportal.zones, geoportal.parcels,
  geoportal.territories;
DROP SCHEMA IF EXISTS geoportal;
