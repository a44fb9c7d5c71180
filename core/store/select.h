/* select.h: choosing one certificate of the store, by --thumbprint,
 * --name or --interface. */
#ifndef EC_SELECT_H
#define EC_SELECT_H

#include "cert.h"
#include "err.h"
#include "store.h"

enum ec_sel_kind { EC_SEL_NONE, EC_SEL_THUMBPRINT, EC_SEL_NAME,
		   EC_SEL_INTERFACE };

struct ec_selector {
	enum ec_sel_kind kind;
	const char *value;
};

/* Normalise a thumbprint as a person pastes it: hex digits in any case;
 * spaces, colons and invisible format characters (U+200B..U+200F,
 * U+2060, U+FEFF, U+00A0) ignored.  out gets lower-case hex; its length
 * must be 8 to 64 digits.  Anything else is usage. */
int ec_thumbprint_norm(const char *in, char out[EC_SHA256_HEX],
		       struct ec_err *e);

/* Is s an interface name: [a-z0-9][a-z0-9-]*, at most 64 bytes? */
int ec_interface_ok(const char *s);

/* Record one selector option; a second one is usage. */
int ec_selector_set(struct ec_selector *sel, enum ec_sel_kind kind,
		    const char *value, struct ec_err *e);

#define EC_SECMASK(s) (1u << (s))
#define EC_SECMASK_CERTS (EC_SECMASK(EC_SEC_PERSONAL) | \
			  EC_SECMASK(EC_SEC_CA) | EC_SECMASK(EC_SEC_ROOT))

struct ec_found {
	enum ec_section sec;
	char sha1[EC_SHA1_HEX];
	char note[400];	/* a warning for the record, or "" */
};

/* Find the one certificate the selector names among the sections of
 * secmask: not-found, ambiguous (the message lists the candidates).
 * Several certificates with the same friendly name (a renewal keeps it)
 * are ranked: one with a private key first, then one valid at now, then
 * the latest notBefore; the best is taken and note names the others.
 * Only a tie on all three is ambiguous.  A thumbprint prefix matching
 * several stays ambiguous. */
int ec_select(struct ec_store *s, const struct ec_selector *sel,
	      unsigned secmask, time_t now, struct ec_found *out,
	      struct ec_err *e);

#endif
