"""Headless `saldo` subcommands, grouped by what they drive."""
