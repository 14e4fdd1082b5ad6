"""Orders in: 接龙 (WeChat chain-order) paste and CSV import, previewed before they land."""
