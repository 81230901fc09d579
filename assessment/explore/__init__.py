"""Interactive exploration of a client's TLS-RPT and DMARC data in JupyterLab.

- `sessions.py`: TLS-RPT reports as one row per (report, policy block, outcome), the filter
  over them and the per-day and summary tables (pure pandas);
- `messages.py`: the same for DMARC aggregate rows;
- `charts.py`: the Vega-Lite chart of either, and its SVG through vl-convert (offline);
- `tables.py`: searchable tables (itables) with a static fallback;
- `widgets.py`: the ipywidgets front-ends; static output when not interactive;
- `clients.py`: every client's latest run and stores of a data folder, as tables.

Nothing here opens a socket or writes a store.
"""
