# tools/: the certmint command-line tool for operators.
