/* status.c: fuzz the status record's escaping (core/status) with
 * hostile strings in every format: the kv form must stay eval-safe
 * (lines of key='...'), the json form one line without control
 * characters, and ec_json_escape must leave no raw quote or control
 * character.  The input is up to four strings separated by NUL bytes. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static void record(enum ec_format fmt, char *const v[4], unsigned op)
{
	struct ec_status *st = ec_status_new(fmt, v[0]);
	struct ec_err e;

	if (!st)
		abort();
	ec_status_str(st, "subject", v[1]);
	ec_status_arr(st, "items");
	ec_status_str(st, NULL, v[2]);
	ec_status_obj(st, NULL);
	ec_status_str(st, "friendly_name", v[3]);
	ec_status_int(st, "n", (long long)op << 40);
	ec_status_end(st);
	ec_status_end(st);
	ec_status_bool(st, "trusted", op & 1);
	ec_status_warn(st, "odd name '%s'", v[2]);
	if (op & 2)
		ec_status_text(st, "%s", v[3]);
	ec_status_message(st, "%s", v[1]);
	memset(&e, 0, sizeof(e));
	if (op & 4) {
		e.code = (enum ec_code)(op % EC_CODE_COUNT);
		strncpy(e.msg, v[3], sizeof(e.msg) - 1);
	}
	fuzz_finish(st, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *all = fuzz_str(data, size), *v[4], *j;
	unsigned op = size ? data[0] : 0;
	size_t off = 0;

	for (int i = 0; i < 4; i++) {
		v[i] = all + off;
		off += strlen(all + off);
		if (off < size)
			off++;
	}
	if ((j = ec_json_escape(v[1])) != NULL) {
		for (const char *c = j; *c; c++) {
			if ((unsigned char)*c < 0x20 || *c == '"')
				abort();
			if (*c == '\\' && !*++c)
				abort();
		}
		free(j);
	}
	record(EC_FMT_JSON, v, op);
	record(EC_FMT_KV, v, op);
	record(EC_FMT_TEXT, v, op);
	free(all);
	return 0;
}
