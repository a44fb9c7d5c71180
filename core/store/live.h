/* live.h: the live directory of an interface, the PEM files a TLS daemon
 * reads, published as whole generations:
 *
 *   STORE/live/NAME              a symlink to .gen/NAME/G
 *   STORE/live/.gen/NAME/G/      cert.pem, chain.pem, fullchain.pem,
 *                                privkey.pem (0600), combined.pem (0600)
 *
 * Files with an owner or a group (assign --owner/--group) are chowned to
 * them, and live/, live/.gen and live/.gen/NAME made 0711 so that their
 * user can reach them (live/ and live/.gen are never tightened again:
 * other interfaces may need them).
 *
 * A new generation is written in full (as G.tmp, renamed to G once every
 * file is fsynced) beside the one in use, then switched in by rename(2)
 * of a new symlink over live/NAME: whoever resolves live/NAME sees one
 * generation or the other, never a mix.  The caller keeps the one before
 * for a rollback and prunes the rest. */
#ifndef EC_LIVE_H
#define EC_LIVE_H

#include <stddef.h>
#include <sys/types.h>

#include <gnutls/x509.h>

#include "chain.h"
#include "err.h"
#include "store.h"

struct ec_live_file {
	const char *name;	/* cert.pem, ... */
	const void *data;
	size_t len;
	mode_t mode;
	uid_t uid;		/* (uid_t)-1: the writer's */
	gid_t gid;		/* (gid_t)-1: not set */
};

/* The absolute path of STORE/live/NAME (it may not exist). */
int ec_live_path(struct ec_store *s, const char *iface, char *buf, size_t n,
		 struct ec_err *e);
/* The generation live/NAME points to (0: no link).  A live/NAME that is
 * not such a link is store-corrupt. */
int ec_live_current(struct ec_store *s, const char *iface,
		    unsigned long *gen, struct ec_err *e);
/* 1 when generation gen exists and holds exactly these files, with
 * their modes and owners. */
int ec_live_same(struct ec_store *s, const char *iface, unsigned long gen,
		 const struct ec_live_file *f, size_t n);
/* 1 when generation gen exists. */
int ec_live_has(struct ec_store *s, const char *iface, unsigned long gen);
/* Write a new generation (the store's lock held); *gen gets its number. */
int ec_live_write(struct ec_store *s, const char *iface,
		  const struct ec_live_file *f, size_t n, unsigned long *gen,
		  struct ec_err *e);
/* Give the files of generation gen to uid and gid ((uid_t)-1: the
 * writer's; (gid_t)-1: none), as ec_live_write would have: a file
 * others cannot read (a key) is 0640 with a group, else 0600.  For a
 * rollback to a generation made before --owner/--group changed. */
int ec_live_own(struct ec_store *s, const char *iface, unsigned long gen,
		uid_t uid, gid_t gid, struct ec_err *e);
/* Point live/NAME at generation gen, atomically; gen 0 removes it. */
int ec_live_switch(struct ec_store *s, const char *iface, unsigned long gen,
		   struct ec_err *e);
/* Remove generation gen (a failed run's own, never a live one). */
int ec_live_drop(struct ec_store *s, const char *iface, unsigned long gen,
		 struct ec_err *e);
/* Remove every generation but keep1 and keep2 (0: none), and the
 * interface's directory when nothing is left. */
int ec_live_prune(struct ec_store *s, const char *iface, unsigned long keep1,
		  unsigned long keep2, struct ec_err *e);

#define EC_LIVE_NFILES 5

/* The files of a generation, made from a certificate, its certification
 * path and its key: cert.pem, chain.pem (the intermediates of path, no
 * root), fullchain.pem (both), privkey.pem (PKCS#8) and combined.pem (the
 * key, the certificate, the intermediates) or, for a key in a PKCS#11
 * token (key NULL), privkey.uri (its URL and a line break) and no
 * combined.pem.  Each file belongs to owner and group (-1: none): the
 * key and combined.pem 0640 with a group, else 0600; the others 0644. */
struct ec_live_set {
	struct ec_live_file f[EC_LIVE_NFILES];
	size_t n;			/* files in f */
	gnutls_datum_t cert, chain, full, key, combined;
	size_t nchain;			/* the intermediates */
};

int ec_live_set_make(gnutls_x509_crt_t crt, const struct ec_chain *path,
		     gnutls_x509_privkey_t key, const char *key_url,
		     long owner, long group, struct ec_live_set *ls,
		     struct ec_err *e);
/* Free the set, its keys wiped. */
void ec_live_set_free(struct ec_live_set *ls);

#endif
