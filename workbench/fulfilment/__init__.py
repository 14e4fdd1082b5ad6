"""Fulfilment paperwork (purchase lists, sorting lists, delivery slips) and HQ's shipping marks."""
