"""OBSERVE's key states: where a node holds a key, in memory and on disk."""

FOUND_NOT_PERSISTED = 0x00
"""In memory, not on disk yet."""
FOUND_PERSISTED = 0x01
"""In memory and on disk."""
NOT_FOUND = 0x80
"""No such key, or its deletion is on disk."""
LOGICALLY_DELETED = 0x81
"""Deleted in memory; the deletion is not on disk yet."""
