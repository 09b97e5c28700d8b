"""Plain helpers shared by the tests: settings, rule-file copies, browser walkers.

Nothing here is a test module or a conftest, so a test module imports from here
(or asks for a fixture) and never from another test module or a conftest.
"""
