#!/usr/bin/python3
"""t/validate-status.py [--each | --tagged]: read one edgecert status record
(JSON) on stdin and check it against man/edgecert-status.schema.json:
exactly one line, one object, valid.  Exit 0 if so; 1 with the reason on
stderr.  With --each: every line of stdin is a record of its own run, each
checked.  With --tagged: every line is NAME, a tab, and a record (the
per-file log of t/helper.bash's ec_log_record, NAME the test's); every
record is checked and each bad one reported with its NAME."""
import json
import os
import sys

import jsonschema

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "man", "edgecert-status.schema.json")) as f:
    schema = json.load(f)
text = sys.stdin.read()
lines = text.split("\n")
tagged = sys.argv[1:] == ["--tagged"]
if sys.argv[1:] in (["--each"], ["--tagged"]):
    if lines[-1] != "" or len(lines) < 2:
        sys.exit("no records, or no line break after the last")
    lines = lines[:-1]
elif len(lines) != 2 or lines[1] != "":
    sys.exit("not exactly one line: %r" % text[:200])
else:
    lines = lines[:1]
jsonschema.validators.Draft202012Validator.check_schema(schema)
validator = jsonschema.validators.Draft202012Validator(schema)
bad = 0
for line in lines:
    name = ""
    if tagged:
        name, _, line = line.partition("\t")
        name = "%s: " % name
    try:
        record = json.loads(line)
        validator.validate(record)
        continue
    except ValueError as e:
        reason = "not JSON: %s" % e
    except jsonschema.ValidationError as e:
        reason = "schema: %s" % e.message
    if not tagged:
        sys.exit("%s: %r" % (reason, line[:200]))
    print("%s%s: %r" % (name, reason, line[:300]), file=sys.stderr)
    bad += 1
if bad:
    sys.exit("%d of %d status records invalid" % (bad, len(lines)))
