"""review/start: a review turn, inline on its thread or detached on a fork."""
