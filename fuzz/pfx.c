/* pfx.c: fuzz PKCS#12 import (core/pfx, what import-pfx reads): the
 * file is opened with the seeds' password "cryptography", else with no
 * password, and what it holds is looked at as import-pfx looks at it. */
#include <stdlib.h>

#include "fuzz.h"
#include "certstore.h"
#include "pfx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_pfx p;
	struct ec_err e;
	struct ec_status *st;

	if (ec_pfx_read(data, size, "cryptography", &p, &e) < 0) {
		if (e.code != EC_BAD_PASSWORD ||
		    ec_pfx_read(data, size, NULL, &p, &e) < 0)
			return 0;
	}
	st = ec_status_new(EC_FMT_JSON, "import-pfx");
	if (!st)
		abort();
	ec_status_arr(st, "certificates");
	for (size_t i = 0; i < p.ncrt; i++) {
		fuzz_use_crt(st, NULL, p.crt[i]);
		for (size_t k = 0; k < p.nkey; k++)
			(void)ec_key_matches(p.crt[i], p.key[k]);
		ec_status_str(st, NULL, p.crt_name[i] ? p.crt_name[i] : "");
	}
	for (size_t k = 0; k < p.nkey; k++)
		ec_status_str(st, NULL, p.key_name[k] ? p.key_name[k] : "");
	ec_status_end(st);
	ec_pfx_free(&p);
	e.code = EC_OK;
	e.msg[0] = '\0';
	fuzz_finish(st, &e);
	return 0;
}
