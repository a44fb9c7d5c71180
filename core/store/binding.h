/* binding.h: an interface's assignment as the store records it,
 * assigned/NAME.meta:
 *
 *   interface, thumbprint, fqdn, assigned (RFC 3339), generation (of
 *   live/NAME), forced (the checks --force overrode, comma-separated),
 *   and previous_thumbprint, previous_fqdn, previous_assigned,
 *   previous_generation, previous_forced: the assignment before it, for
 *   a rollback; owner and group (numbers: assign --owner/--group), kept
 *   by every later generation and rollback until changed.
 *
 * and the live files made from a certificate, its path and its key. */
#ifndef EC_BINDING_H
#define EC_BINDING_H

#include <gnutls/x509.h>

#include "chain.h"
#include "err.h"
#include "live.h"
#include "meta.h"
#include "store.h"

struct ec_binding {
	int have;			/* the record exists */
	const char *thumbprint, *fqdn, *assigned, *forced;
	unsigned long generation;
	const char *prev_thumbprint, *prev_fqdn, *prev_assigned, *prev_forced;
	unsigned long prev_generation;
	long owner, group;		/* -1: none */
	struct ec_meta m;		/* owns the strings */
};

int ec_binding_load(struct ec_store *s, const char *iface,
		    struct ec_binding *b, struct ec_err *e);
void ec_binding_free(struct ec_binding *b);

/* The record of a rollback from c: the previous assignment (with what
 * was forced), the current one (at link_gen, else its recorded
 * generation) as the previous, the owner and group kept. */
void ec_binding_swap(const struct ec_binding *c, unsigned long link_gen,
		     const char *when, struct ec_binding *nb);

/* Stage assigned/NAME.meta for b (its strings, not its m) in t. */
int ec_binding_stage(struct ec_txn *t, const char *iface,
		     const struct ec_binding *b, struct ec_err *e);

#define EC_LIVE_NFILES 5

/* cert.pem, chain.pem (the intermediates of path, no root),
 * fullchain.pem (both), privkey.pem (PKCS#8, 0600) and combined.pem (the
 * key, the certificate, the intermediates, 0600) or, for a key in a
 * PKCS#11 token (key NULL), privkey.uri (its URL and a line break, 0600)
 * and no combined.pem. */
struct ec_live_set {
	struct ec_live_file f[EC_LIVE_NFILES];
	size_t n;			/* files in f */
	gnutls_datum_t cert, chain, full, key, combined;
	size_t nchain;
};

int ec_live_set_make(gnutls_x509_crt_t crt, const struct ec_chain *path,
		     gnutls_x509_privkey_t key, const char *key_url,
		     struct ec_live_set *ls, struct ec_err *e);
void ec_live_set_free(struct ec_live_set *ls);
/* The files for owner and group (-1: none): each file theirs, the key
 * and combined.pem 0640 with a group, else 0600; the others 0644. */
void ec_live_set_own(struct ec_live_set *ls, long owner, long group);

#endif
