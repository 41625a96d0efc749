"""Orchestration behind the command line: each workflow calls the library's public functions."""
