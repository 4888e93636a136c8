"""Benchmarks at county scale, outside the shipped package: `make bench` (`python -m bench`).

`bench.county` builds the data set, measures the ledger's reads and runs `bench.<app>.run(context)`
for each app `maque.<app>` that has a module here; each app's module also runs on its own
(`python -m bench.bulletins`, `python -m bench.exchange`, `python -m bench.rhythm`).
"""
