"""Permit files: the procedure catalogue, files and their workflow, dispatch to agencies, opinions and remarks,
business-day deadlines, the hash-chained audit trail and the domain events; commissions in `permits.commissions`.

Writes go through `services`, reads through `selectors`, and only `workflow` changes a file's status; `README.md`
maps the modules.
"""
