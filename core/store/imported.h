/* imported.h: the record of a PKCS#12 file already imported.
 *
 * A configuration run imports the same file every half hour; deriving its
 * keys again (600,000 PBKDF2 iterations for a GnuTLS file) is the whole
 * cost of a run that changes nothing.  So an import leaves
 * personal/<SHA-256 of the file>.imported (mode 0600, key=value): the
 * options that decide the outcome, which kind of password opened it and
 * the certificates it placed.  Nothing in it checks a password (a fast
 * verifier in the store would let a reader of the store guess the PFX's
 * password far faster than the file's own KDF allows), so a run it
 * answers has not checked the password it was given.  The record is a
 * hint, never trusted alone: the caller proves that the store still
 * holds every certificate (and key) it names before it reports "already
 * imported". */
#ifndef EC_IMPORTED_H
#define EC_IMPORTED_H

#include <stddef.h>

#include "cert.h"
#include "err.h"
#include "store.h"

struct ec_imported_cert {
	enum ec_section sec;
	char sha1[EC_SHA1_HEX];
	char *name;		/* friendly name reported, or NULL */
};

struct ec_imported {
	char *mac;		/* "SHA256" and the like; NULL: no MAC */
	int pass;		/* enum ec_pfx_pass */
	int exportable, trust_root;
	char *name_opt;		/* --name, or NULL */
	struct ec_imported_cert *c;
	size_t n;
};

/* Load the record of the file with this SHA-256 (hex).  1 found, and
 * imported with a password given (no_password 0) or with none or the
 * empty one (no_password 1: --no-password or an empty password, which
 * both try the two); 0 no record, a malformed or
 * old one, or the other kind of password; -1 the store cannot be read.
 * The password itself is not checked. */
int ec_imported_load(struct ec_store *s, const char *digest, int no_password,
		     struct ec_imported *out, struct ec_err *e);
/* Stage the record (unless the store has the same bytes).  Returns 1 when
 * staged, 0 when present. */
int ec_imported_stage(struct ec_store *s, struct ec_txn *t, const char *digest,
		      const struct ec_imported *r, struct ec_err *e);
/* Add a certificate; -1 on out of memory. */
int ec_imported_add(struct ec_imported *r, enum ec_section sec,
		    const char *sha1, const char *name);
void ec_imported_free(struct ec_imported *r);

#endif
