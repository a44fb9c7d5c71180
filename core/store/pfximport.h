/* pfximport.h: a PKCS#12 file's contents into the store, in one
 * transaction: each certificate with its key into personal (the key
 * into a PKCS#11 token instead, when one is given), the CA certificates
 * into ca, and with trust_root a self-signed root into root.
 *
 * A certificate and a key pair by public key.  A key the store holds
 * for a certificate already must be the same (or force replaces it).
 * Where a certificate came from (source=pfx, source_sha256, its
 * CryptoAPI key container and provider) is recorded when it is new or
 * gets a new key, so that the same certificate from another export
 * changes nothing.  When nothing was skipped, the import record of the
 * file is staged with the rest (imported.h), so that the next import of
 * the same file can be answered without decrypting it.
 *
 * Used by import-pfx, the store open (for writing unless check):
 *
 *	struct ec_pfximport im = { .store = s, .file = name, ... };
 *	ec_pfximport_recorded(&im, no_password)	(1: answered, as before)
 *	or: ec_pfx_read(..., &im.pfx, &e);
 *	    ec_pfximport_plan(&im, &e);
 *	    ec_pfximport_apply(&im, &e);
 *	(report im.c[], im.changed)
 *	ec_pfximport_free(&im);
 *
 * Warnings (a skipped certificate, a stray key, no MAC, a root left
 * untrusted) go into st. */
#ifndef EC_PFXIMPORT_H
#define EC_PFXIMPORT_H

#include <stddef.h>

#include <gnutls/x509.h>

#include "cert.h"
#include "err.h"
#include "imported.h"
#include "pfx.h"
#include "status.h"
#include "store.h"
#include "token.h"

/* What was done with a certificate (the record's action). */
enum ec_pfximport_action {
	EC_PFXIMPORT_ADDED, EC_PFXIMPORT_PRESENT, EC_PFXIMPORT_MOVED,
	EC_PFXIMPORT_UPDATED, EC_PFXIMPORT_SKIPPED
};

/* What becomes of one certificate of the file. */
struct ec_pfximport_cert {
	gnutls_x509_crt_t crt;		/* the file's (or the store's) */
	gnutls_x509_privkey_t key;	/* its key, or NULL */
	int sec;			/* where it is or goes; -1: skipped */
	const char *name;		/* friendly name, or NULL */
	char *cn;			/* owned when name is the CN */
	enum ec_pfximport_action action;
	const char *why;		/* the record's reason, or NULL */
	char *key_url;			/* its key in the token */
	char *container, *provider;	/* CryptoAPI key container, CSP */
	int imported;			/* by this run: undone on a failure */
	char sha1[EC_SHA1_HEX];
};

struct ec_pfximport {
	/* the caller's */
	struct ec_store *store;
	struct ec_token *tok;		/* with token_url, found */
	const char *token_url;		/* the keys go there, or NULL */
	const char *file;		/* the file's name, for messages */
	const char *name;		/* the friendly name given, or NULL */
	int exportable, trust_root, force, check;
	char source_sha256[EC_SHA256_HEX];	/* the file's */
	struct ec_status *st;		/* warnings */
	struct ec_pfx pfx;		/* the file, read (or its mac and
					 * pass from the import record) */
	/* the outcome */
	struct ec_pfximport_cert *c;	/* each distinct certificate */
	size_t n;
	int changed;
	int recorded;			/* answered by the import record (the
					 * password unchecked) */
	/* the run's */
	int clean;			/* every key used, nothing skipped */
	struct ec_txn *txn;
	struct ec_imported rec;
	char now[32];
};

/* The file was imported before with these options and the same kind of
 * password (no_password: none or the empty one), and the store still
 * holds all it placed: 1, with c[] and pfx's mac and pass as a full
 * import would give, without decrypting the file.  0 otherwise (nothing
 * said): import it.  Never with a token (the record knows key files
 * only). */
int ec_pfximport_recorded(struct ec_pfximport *im, int no_password);

/* Pair keys and certificates of pfx by public key; decide every
 * section.  bad-input when the file has no key that belongs to one of
 * its certificates. */
int ec_pfximport_plan(struct ec_pfximport *im, struct ec_err *e);

/* Stage everything (with check, work out what would change), then
 * commit it all or nothing; a failure takes the keys this run wrote into
 * the token out again. */
int ec_pfximport_apply(struct ec_pfximport *im, struct ec_err *e);

/* Free what the import holds (not the store or the token). */
void ec_pfximport_free(struct ec_pfximport *im);

#endif
