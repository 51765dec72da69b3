"""Nominal records in and out of the service as a folder of CSV files, for a unit moving off
spreadsheets or from another installation. `columns` is the format; `export` writes it; `reading`,
`reference`, `records` and `checks` read and check every row of every file before anything is
written; `load` writes what passed, all or nothing; `access` says who may do either.
docs/import-format.md describes the format for the people who fill it in."""
