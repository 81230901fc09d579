"""Many clients at once: the portfolio run (every client through the normal run path, local
processes or a Dask cluster), its table of the whole book, and the `diff` command.

`jobs.py` is one client's job, `summary.py` turns a finished run into table rows,
`executors.py` runs the jobs, `output.py` writes the CSV, HTML and PDF, `runner.py` puts them
together and defines the exit status, `commands.py` is the command line.
"""
