"""Figures the chapters draw (matplotlib, Korean labels): one module per chapter."""
