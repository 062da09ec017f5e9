# conf/: see README.md
