"""Checks shared by several test modules."""
