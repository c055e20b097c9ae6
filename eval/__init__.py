"""Evaluation data: labelled draft cases (eval/cases) and their rendered PDFs (eval/fixtures)."""
