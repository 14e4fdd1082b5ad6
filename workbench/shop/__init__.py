"""The public campaign order page (no account): phone + one-time code, then the order."""
