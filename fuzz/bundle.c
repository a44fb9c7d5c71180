/* bundle.c: fuzz chain and CRL import (core/bundle, what import-chain
 * and verify-root --cert read): PKCS#7, PEM bundles, DER, base64. */
#include <stdlib.h>

#include "fuzz.h"
#include "bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_bundle b = { 0 };
	struct ec_err e;
	struct ec_status *st;

	if (ec_bundle_parse("fuzz.p7b", data, size, &b, &e) < 0) {
		/* a failure leaves the bundle empty */
		if (b.ncrt || b.ncrl || e.code != EC_BAD_INPUT)
			abort();
		st = ec_status_new(EC_FMT_KV, "import-chain");
		if (!st)
			abort();
		fuzz_finish(st, &e);
		ec_bundle_free(&b);
		return 0;
	}
	st = ec_status_new(EC_FMT_KV, "import-chain");
	if (!st)
		abort();
	ec_status_arr(st, "certificates");
	for (size_t i = 0; i < b.ncrt; i++)
		fuzz_use_crt(st, NULL, b.crt[i]);
	ec_status_end(st);
	ec_bundle_free(&b);
	e.code = EC_OK;
	e.msg[0] = '\0';
	fuzz_finish(st, &e);
	return 0;
}
