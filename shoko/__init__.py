"""shoko: scanned home-oxygen-therapy paperwork, read, filed and searchable.

This package is the composition root: settings, the wiring of the rooms
(``ingest``, ``records``, ``search``, ``billing``, ``webui``) and the command line.
"""

__version__ = "0.1.0"
