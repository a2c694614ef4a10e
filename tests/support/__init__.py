"""Fixtures, factories and data builders for the tests (not test files themselves)."""
