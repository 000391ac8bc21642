"""Data sources: one module per source (``base`` defines what a source is). Which sources a refresh runs is
:mod:`etl.registry`'s business; this package imports nothing at load time, so its modules never form a cycle."""
