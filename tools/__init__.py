"""Maintainer tools: build the student release, grade submissions, run the demo."""
