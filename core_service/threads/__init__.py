"""ThreadService and loaded-thread state: start/resume/fork, the idle reaper."""
