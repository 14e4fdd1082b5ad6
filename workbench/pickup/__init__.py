"""The pickup counter (提货): find a member's arrived orders, hand them over, undo, report problems."""
