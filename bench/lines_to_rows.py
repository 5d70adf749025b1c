"""One harness row from numbers read one per line on stdin (the per-run results of a
benchmark program): lines_to_rows.py PART GROUP NAME LANGUAGE UNIT."""

import sys

from harness import row, write_part

part, group, name, language, unit = sys.argv[1:6]
values = [float(line) for line in sys.stdin if line.strip()]
write_part(part, [row(group, name, language, unit, values)])
