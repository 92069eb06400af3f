"""`make bench`: Saldo's performance figures, each printed with its target."""
