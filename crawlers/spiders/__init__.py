"""Spiders: one generic spider for every agency in the registry."""
