# schema/: see README.md
