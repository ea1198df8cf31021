"""Renderers: the text summary the CLI prints, and (later) Markdown/HTML reports for trainers."""
