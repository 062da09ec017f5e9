# static/: see README.md
