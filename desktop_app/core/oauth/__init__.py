"""OAuth 2.0 authorization code flow for a native app (RFC 8252, 7636, 6749, 9700).

Consent happens in the person's own browser; the answer comes back to a loopback receiver
bound before the browser opens (or is pasted back by hand). Tokens go to the vault.
"""
