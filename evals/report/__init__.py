"""Reporters: terminal table, JUnit XML, self-contained HTML."""
