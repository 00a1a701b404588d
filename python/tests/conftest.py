"""Tests of the pytest-standin plugin itself, with the vendors' own Python clients.

The plugin is loaded through its pytest11 entry point (the installed wheel), exactly as in a
user's suite. Files here are one per product (test_<product>.py) plus the plugin's own
behaviour (test_fixture.py, test_launch.py); other vendor clients' tests belong beside them,
written against the `standin` fixture.

`pytester` runs inner pytest sessions for what only a whole session shows (xdist workers,
test-to-test cleanliness, start-up failures).
"""

pytest_plugins = ["pytester"]
