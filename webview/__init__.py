"""Flask web view of a conference timetable."""
