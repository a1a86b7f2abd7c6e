"""Runnable examples of wtf; each has a test in tests/examples/."""
