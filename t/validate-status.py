#!/usr/bin/python3
"""t/validate-status.py: read one edgecert status record (JSON) on stdin and
check it against man/edgecert-status.schema.json: exactly one line, one
object, valid.  Exit 0 if so; 1 with the reason on stderr."""
import json
import os
import sys

import jsonschema

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "man", "edgecert-status.schema.json")) as f:
    schema = json.load(f)
text = sys.stdin.read()
lines = text.split("\n")
if len(lines) != 2 or lines[1] != "":
    sys.exit("not exactly one line: %r" % text[:200])
try:
    record = json.loads(lines[0])
except ValueError as e:
    sys.exit("not JSON: %s: %r" % (e, lines[0][:200]))
try:
    jsonschema.validate(record, schema,
                        cls=jsonschema.validators.Draft202012Validator)
except jsonschema.ValidationError as e:
    sys.exit("schema: %s" % e.message)
