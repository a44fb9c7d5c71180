/* nameconstr.c: fuzz edgecert's name constraints (core/check/nameconstr)
 * on certificates from outside: the input is a CA certificate's DER
 * after a two-octet length (big-endian), then the target's DER.  GnuTLS
 * imports both (signatures are not checked: the evaluation never looks at
 * them) and the path target, CA is evaluated, and target, CA, CA (the
 * CA's constraints twice down the path); every reason added must be one
 * of the module's. */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "fuzz.h"
#include "nameconstr.h"
#include "pathcheck.h"

static int import(gnutls_x509_crt_t *c, const uint8_t *p, size_t n)
{
	gnutls_datum_t d = { (unsigned char *)p, (unsigned)n };

	if (gnutls_x509_crt_init(c) < 0)
		abort();
	return gnutls_x509_crt_import(*c, &d, GNUTLS_X509_FMT_DER);
}

static void check(gnutls_x509_crt_t *v, size_t n)
{
	struct ec_path p = { .v = v, .n = n, .anchored = 1 };
	struct ec_reasons rs = { 0 };

	ec_nameconstr_check(&p, &rs);
	for (size_t i = 0; i < rs.n; i++)
		if (strncmp(rs.v[i].name, "name-constraints-", 17) != 0 ||
		    rs.v[i].code != EC_UNTRUSTED)
			abort();
	if (rs.n && !ec_nameconstr_found(&rs))
		abort();
	(void)ec_nameconstr_any(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gnutls_x509_crt_t v[3] = { NULL, NULL, NULL };
	size_t n;

	if (size < 2)
		return 0;
	n = (size_t)data[0] << 8 | data[1];
	if (n > size - 2)
		return 0;
	if (import(&v[1], data + 2, n) == 0 &&
	    import(&v[0], data + 2 + n, size - 2 - n) == 0) {
		v[2] = v[1];
		check(v, 2);
		check(v, 3);
	}
	if (v[0])
		gnutls_x509_crt_deinit(v[0]);
	gnutls_x509_crt_deinit(v[1]);
	return 0;
}
