/* answer.c: fuzz the CA's answer as accept takes it: the bundle parsed,
 * its CA certificates and CRLs planned into a store (an empty one,
 * opened read-only in a temporary directory: nothing is ever written),
 * and the issued certificate's path validated and reported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "bundle.h"
#include "chain.h"
#include "place.h"
#include "store.h"
#include "verify.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct ec_store *store;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	static char dir[4096];
	struct ec_err e;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/edgecert-fuzz.XXXXXX",
		 tmp ? tmp : "/tmp");
	if (!mkdtemp(dir) ||
	    ec_store_open(&store, dir, 0, 0, &e) < 0) {
		fprintf(stderr, "fuzz/answer: no empty store in %s: %s\n",
			dir, e.msg);
		abort();
	}
	return 0;
}

static void verdict(struct ec_status *st, const struct ec_bundle *b)
{
	struct ec_verify_opts vo = { .extra = b->crt, .nextra = b->ncrt,
				     .crl = b->crl, .ncrl = b->ncrl,
				     .hostname = "edge.example.test" };
	struct ec_verify_result r = { 0 };
	struct ec_err e;

	if (ec_verify(store, b->crt[0], &vo, &r, &e) == 0)
		ec_verify_report(st, store, &r);
	ec_verify_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_place_flags pf = { .held_roots = 1 };
	struct ec_bundle b = { 0 };
	struct ec_plan p = { 0 };
	struct ec_status *st;
	struct ec_err e;

	if (ec_bundle_parse("answer.p7b", data, size, &b, &e) < 0)
		return 0;
	st = ec_status_new(EC_FMT_JSON, "accept");
	if (!st)
		abort();
	for (size_t i = 0; i < b.ncrt; i++) {
		(void)ec_crt_self_signed(b.crt[i]);
		(void)ec_ca_section(b.crt[i], 0);
		if (i)
			(void)ec_crt_issued_by(b.crt[0], b.crt[i]);
	}
	if (b.ncrt)
		fuzz_use_crt(st, "certificate", b.crt[0]);
	if (ec_place_plan(store, b.crt, b.ncrt, b.crl, b.crlder, b.ncrl, &pf,
			  &p, &e) == 0)
		ec_place_report(st, store, &p);
	ec_place_free(&p);
	if (b.ncrt)
		verdict(st, &b);
	ec_bundle_free(&b);
	e.code = EC_OK;
	e.msg[0] = '\0';
	fuzz_finish(st, &e);
	return 0;
}
