-- Reverse of geoportal_indicators.sql (opendata 0003).
DROP VIEW IF EXISTS geoportal.procedures, geoportal.indicator_refreshes, geoportal.indicator_snapshots;
