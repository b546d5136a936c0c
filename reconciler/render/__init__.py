"""Renderers of a `Plan`: text for terminals, Markdown for a pull-request comment, JSON to save.

Only `render.text` imports rich; the others are pure functions from a plan to a string.
"""
