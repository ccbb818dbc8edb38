"""The spatial kernel and shared services: SRIDs, geometry policy, the import pipeline, the event bus, documents,
notifications, signatures, problem details, territories."""
