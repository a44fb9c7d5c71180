#include <string.h>

#include <gnutls/gnutls.h>

#include "crlfile.h"
#include "fileio.h"

int ec_crl_size_ok(size_t der_size, const char *what, struct ec_err *e)
{
	if (der_size <= EC_CRL_MAX)
		return 0;
	return ec_fail(e, EC_CRL_TOO_LARGE, "%s is a CRL of %zu bytes, over "
		       "the limit of %u bytes", what, der_size,
		       (unsigned)EC_CRL_MAX);
}

int ec_crlfile_read(struct ec_store *s, const char *name,
		    gnutls_x509_crl_t *out, struct ec_err *e)
{
	struct ec_data d = { 0 };
	gnutls_x509_crl_t crl = NULL;
	gnutls_datum_t dd;
	int r;

	*out = NULL;
	if (ec_store_read_max(s, EC_SEC_CRL, name, EC_CRL_PEM_MAX, &d, e) < 0) {
		if (e->code == EC_BAD_INPUT)
			e->code = EC_STORE_CORRUPT;
		return -1;
	}
	dd.data = d.data;
	dd.size = (unsigned)d.size;
	if ((r = gnutls_x509_crl_init(&crl)) < 0) {
		ec_data_free(&d);
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	}
	r = gnutls_x509_crl_import(crl, &dd, GNUTLS_X509_FMT_PEM);
	ec_data_free(&d);
	if (r < 0) {
		gnutls_x509_crl_deinit(crl);
		return ec_fail(e, EC_STORE_CORRUPT, "not a CRL: %s",
			       gnutls_strerror(r));
	}
	*out = crl;
	return 0;
}

struct each {
	struct ec_store *s;
	int (*fn)(void *, const char *, gnutls_x509_crl_t,
		  const struct ec_err *);
	void *arg;
	struct ec_err *e;
};

/* A CRL that cannot be used goes to fn with why; one another user could
 * have planted (store-unsafe, as any store object) or no memory ends
 * the scan. */
static int one(void *arg, const char *name)
{
	struct each *ea = arg;
	gnutls_x509_crl_t crl;
	struct ec_err why = { EC_OK, "" };

	if (ec_crlfile_read(ea->s, name, &crl, &why) < 0 &&
	    (why.code == EC_INTERNAL || why.code == EC_STORE_UNSAFE)) {
		*ea->e = why;
		return -1;
	}
	return ea->fn(ea->arg, name, crl, crl ? NULL : &why);
}

int ec_crlfile_each(struct ec_store *s,
		    int (*fn)(void *arg, const char *name,
			      gnutls_x509_crl_t crl, const struct ec_err *why),
		    void *arg, struct ec_err *e)
{
	struct each ea = { s, fn, arg, e };
	int r;

	e->code = EC_OK;
	r = ec_store_scan(s, EC_SEC_CRL, ".pem", one, &ea, e);
	if (r < 0 && e->code == EC_OK)
		ec_fail(e, EC_INTERNAL, "out of memory");
	return r;
}
