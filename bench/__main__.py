"""`python -m bench`: the county benchmark and every app's benchmark on its data set."""

from bench.county import main

raise SystemExit(main())
