"""The ground floor every app builds on: API conventions, time helpers, registries.

Nothing here imports an app of the project; every app may import it.
"""
