/* crlfile.h: CRLs under one size limit, at import and at use.
 *
 * A CRL's DER is at most EC_CRL_MAX bytes (fileio.h): a larger one is
 * refused where it comes in (crl-too-large), so that the store never
 * holds a CRL it could not use.  The store's CRLs, crl/<id>.pem, are read
 * one at a time: a file that is not a regular file (a symlink, a FIFO),
 * cannot be read, is over EC_CRL_PEM_MAX or is not one PEM CRL is
 * reported, never skipped in silence (edgecert-verify-root(1),
 * crl-unusable).
 *
 *	if (ec_crl_size_ok(der.size, "CRL 1 of 'x.p7b'", &e) < 0) ...
 *	ec_crlfile_each(store, fn, arg, &e);
 */
#ifndef EC_CRLFILE_H
#define EC_CRLFILE_H

#include <stddef.h>

#include <gnutls/x509.h>

#include "err.h"
#include "store.h"

/* 0 if a CRL of der_size bytes is within EC_CRL_MAX, else crl-too-large
 * naming what. */
int ec_crl_size_ok(size_t der_size, const char *what, struct ec_err *e);

/* Read and parse crl/name.  Fails with store-corrupt (the message says
 * why: not a regular file, too large, not a CRL) or io. */
int ec_crlfile_read(struct ec_store *s, const char *name,
		    gnutls_x509_crl_t *out, struct ec_err *e);

/* For each crl/<id>.pem of the store, in no order, read it and call
 * fn(arg, name, crl, why): crl is the parsed CRL, now fn's to keep or
 * deinit, or NULL when the file cannot be used, with why saying so.
 * Stops when fn returns non-zero, which is returned (-1 with e set by
 * fn). */
int ec_crlfile_each(struct ec_store *s,
		    int (*fn)(void *arg, const char *name,
			      gnutls_x509_crl_t crl, const struct ec_err *why),
		    void *arg, struct ec_err *e);

#endif
