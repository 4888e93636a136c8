"""The workspace's screens, one module per domain (design: HTML lives in the workspace app).

Each module is thin: it parses input, asks a selector or a service, and renders. `errors.py`
puts service errors on forms; `navigation.py` decides what the navigation offers.
"""
