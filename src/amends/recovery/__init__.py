"""The recovery flows: what happens across domains when a case opens, a step is done, a
reply goes out, a complaint arrives, a compensation is decided or the ledger is swept.

This package is the one place that calls several domains' services together, so each
domain below it keeps to its own concepts and imports only downward.
"""
