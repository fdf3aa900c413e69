"""Turning a file into an extracted document: formats, text layer, OCR,
Japanese normalisation, classification and field extraction.

This room knows nothing of the database or HTTP.
"""
