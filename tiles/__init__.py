"""Vector tiles from PostGIS (issue 5): nothing here yet."""
