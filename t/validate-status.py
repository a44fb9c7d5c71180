#!/usr/bin/python3
"""t/validate-status.py [--each]: read one edgecert status record (JSON) on
stdin and check it against man/edgecert-status.schema.json: exactly one
line, one object, valid.  Exit 0 if so; 1 with the reason on stderr.  With
--each: every line of stdin is a record of its own run, each checked."""
import json
import os
import sys

import jsonschema

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "man", "edgecert-status.schema.json")) as f:
    schema = json.load(f)
text = sys.stdin.read()
lines = text.split("\n")
if sys.argv[1:] == ["--each"]:
    if lines[-1] != "" or len(lines) < 2:
        sys.exit("no records, or no line break after the last")
    lines = lines[:-1]
elif len(lines) != 2 or lines[1] != "":
    sys.exit("not exactly one line: %r" % text[:200])
else:
    lines = lines[:1]
jsonschema.validators.Draft202012Validator.check_schema(schema)
validator = jsonschema.validators.Draft202012Validator(schema)
for line in lines:
    try:
        record = json.loads(line)
    except ValueError as e:
        sys.exit("not JSON: %s: %r" % (e, line[:200]))
    try:
        validator.validate(record)
    except jsonschema.ValidationError as e:
        sys.exit("schema: %s: %r" % (e.message, line[:200]))
