"""Spreadsheets of the records beside the ledger — topics, projects with their milestones,
field visits and publicity, petitions — in the ledger's style: a title row, Chinese headers the
township uses (with the synonyms clerks type), one record a row; exported with bounded memory
and imported as upload → preview → commit, all or nothing, through each app's own services.

`layout` says what a sheet kind is (its columns and headers); `writing` writes any kind as .xlsx
or CSV; each kind's module (`topics`, `projects`, `visits`, `petitions`) its rows and, for the
kinds that import, how a row is read and written; `importing` runs an import of any kind.
"""
