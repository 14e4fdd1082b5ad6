"""Request-level hardening shared by every blueprint: headers, form text, URL ids."""
