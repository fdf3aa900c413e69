"""The small core every room may import: the one exception tree (``kernel.errors``)
and the one definition of Japanese text (``kernel.text``: what a Japanese character
is, normalisation of OCR text and queries). It imports nothing of the rooms."""
