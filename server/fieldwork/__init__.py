"""Fieldwork organisation: which agencies each enumerator works in for a round, and progress to quota."""
