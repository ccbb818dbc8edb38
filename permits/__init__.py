"""Permit files, workflow, commissions and signatures (issues 3 and 4): nothing here yet."""
