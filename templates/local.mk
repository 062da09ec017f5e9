# templates/: see README.md
