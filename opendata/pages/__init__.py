"""The catalogue's pages for people: `/opendata/datasets/` (every dataset) and `/opendata/datasets/<slug>/` (one
dataset: what it is, its licence, how often and when it was last refreshed, what it covers, its downloads and the
live feeds that serve it), in French, Arabic and English, over the platform's base template.
"""
