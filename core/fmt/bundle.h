/* bundle.h: what a CA hands out, parsed: PKCS#7 certs-only bundles
 * (.p7b/.p7c) in DER or base64 under any PEM label (the Windows CA labels
 * a base64 .p7b "BEGIN CERTIFICATE"), PEM bundles of certificates and CRLs,
 * single DER certificates and DER CRLs, CRLs inside a PKCS#7, and base64
 * without armour, in any text encoding armor.h reads.  The content
 * decides, never the label or the file name.  An AD CS web enrolment
 * answer (a SignedData without signers whose id-data content is the
 * issued certificate) gives that certificate first, then its chain.
 *
 * Refused as bad-input, naming the object and why: empty input, garbage,
 * PKCS#7 signed data with signers or with content that is no
 * certificate, enveloped and other PKCS#7
 * types, anything GnuTLS cannot parse.  A failure leaves the bundle
 * empty: nothing of a bad file is used. */
#ifndef EC_BUNDLE_H
#define EC_BUNDLE_H

#include <stddef.h>

#include <gnutls/x509.h>
#include <libtasn1.h>

#include "err.h"
#include "status.h"

struct ec_bundle {
	gnutls_x509_crt_t *crt;		/* in the order of the input */
	size_t ncrt;
	gnutls_x509_crl_t *crl;
	gnutls_datum_t *crlder;		/* crl[i]'s DER, as it came: exporting
					 * a large CRL again costs as much
					 * memory as parsing it */
	size_t ncrl;
	size_t capcrt, capcrl;
	size_t trailing;	/* bytes after a complete DER, ignored */
	const char *encoding;	/* a text's: "UTF-16LE"...; or NULL */
};

/* Parse data (name is the file's name, for messages) into b, which
 * must be zeroed or freshly freed.  An input with neither certificate nor
 * CRL is bad-input. */
int ec_bundle_parse(const char *name, const unsigned char *data, size_t len,
		    struct ec_bundle *b, struct ec_err *e);
/* ec_read_input and ec_bundle_parse. */
int ec_bundle_read(const char *path, struct ec_bundle *b, struct ec_err *e);
void ec_bundle_free(struct ec_bundle *b);
/* The record's warning about bytes after a DER, when there are any. */
void ec_bundle_note(struct ec_status *st, const char *name,
		    const struct ec_bundle *b);

/* core/fmt/p7certs.asn, compiled (core/fmt/p7certs_asn1_tab.c). */
extern const asn1_static_node ec_p7certs_asn1_tab[];

#endif
