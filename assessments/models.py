"""Attempts, answers and stored results (the student journey builds on this app)."""
