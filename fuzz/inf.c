/* inf.c: fuzz request --inf: a certreq INF file's bytes (core/inf: the
 * encodings, sections, quotes, [Strings]; core/infreq: the keys as
 * request parameters), then the request made from them, signed with one
 * key made at start.  Everything refused is usage (internal only for out
 * of memory); what is read holds no line break and no NUL. */
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "fuzz.h"
#include "csr.h"
#include "infreq.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_signer();
	return 0;
}

static void clean(const char *s)
{
	if (strpbrk(s, "\r\n"))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_inf_req r;
	gnutls_x509_crq_t crq = NULL;
	struct ec_err e;

	if (ec_inf_request(data, size, &r, &e) < 0) {
		if (e.code != EC_USAGE && e.code != EC_INTERNAL)
			abort();
		if (r.inf.n || r.nbufs || r.nwarn)
			abort();	/* a failure leaves nothing */
		return 0;
	}
	for (size_t i = 0; i < r.inf.n; i++) {
		clean(r.inf.l[i].section);
		clean(r.inf.l[i].key);
		clean(r.inf.l[i].value);
	}
	for (size_t i = 0; i < r.p.ndns; i++)
		clean(r.p.dns[i]);
	if (r.p.subject)
		clean(r.p.subject);
	if (r.p.key_usage & ~0x80ffu)
		abort();
	if (ec_csr_check(&r.p, &e) == 0 &&
	    ec_csr_make(&r.p, fuzz_signer(), &crq, &e) == 0)
		gnutls_x509_crq_deinit(crq);
	else if (e.code != EC_USAGE)
		abort();
	ec_inf_req_free(&r);
	return 0;
}
