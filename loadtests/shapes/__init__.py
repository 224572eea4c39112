"""One load shape per file, so a run picks its shape by the file it adds to ``-f``."""
