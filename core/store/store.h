/* store.h: the certificate store, a directory a person can read.
 *
 *   STORE/VERSION            the store format, "1"
 *   STORE/.lock              writers hold an exclusive flock on it
 *   STORE/.txn/              a writer's staged files and journal
 *   STORE/<section>/NAME     objects, by section
 *
 * Writers change the store only through transactions: every file is staged
 * and fsynced, a journal is committed, then the files are renamed in; a run
 * that dies after the commit is completed by the next writer (or reader,
 * under the writers' lock), one that dies before it leaves no trace.
 * Readers hold a shared lock on STORE/.commit, never the writers' lock
 * but to complete such a change. */
#ifndef EC_STORE_H
#define EC_STORE_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "fileio.h"

enum ec_section {
	EC_SEC_PERSONAL, EC_SEC_CA, EC_SEC_ROOT, EC_SEC_CRL,
	EC_SEC_PENDING, EC_SEC_ASSIGNED,
	EC_SEC_COUNT
};

const char *ec_section_name(enum ec_section sec);
/* The section called s, or -1. */
int ec_section_parse(const char *s);

#define EC_STORE_WRITE 1	/* create if absent, lock, recover */

struct ec_store;

int ec_store_open(struct ec_store **out, const char *dir, int flags,
		  int wait_seconds, struct ec_err *e);
void ec_store_close(struct ec_store *s);
const char *ec_store_dir(const struct ec_store *s);
/* The store's directory, opened once with its every ancestor checked
 * (safedir.h); -1 for an absent store.  Open what is in the store relative
 * to it, never by path. */
int ec_store_fd(const struct ec_store *s);

/* Is name a safe object name: [A-Za-z0-9_.-], not starting with '.',
 * at most 200 bytes? */
int ec_store_name_ok(const char *name);

/* Read an object; not-found if absent. */
int ec_store_read(struct ec_store *s, enum ec_section sec, const char *name,
		  struct ec_data *out, struct ec_err *e);
/* ec_store_read of an object of at most max bytes (else bad-input). */
int ec_store_read_max(struct ec_store *s, enum ec_section sec,
		      const char *name, size_t max, struct ec_data *out,
		      struct ec_err *e);
/* Read an object that may be absent: 0 read, 1 absent (the object, its
 * section or the store; out left empty, e untouched), -1 with e. */
int ec_store_read_opt(struct ec_store *s, enum ec_section sec,
		      const char *name, struct ec_data *out, struct ec_err *e);
/* 1 if the object exists, 0 if not. */
int ec_store_has(struct ec_store *s, enum ec_section sec, const char *name);
/* Call fn for each object name in sec that ends with suffix, in no order,
 * until fn returns non-zero (which is returned). */
int ec_store_scan(struct ec_store *s, enum ec_section sec, const char *suffix,
		  int (*fn)(void *arg, const char *name), void *arg,
		  struct ec_err *e);

struct ec_txn;

int ec_txn_begin(struct ec_store *s, struct ec_txn **out, struct ec_err *e);
/* Stage an object's new content (mode as for open(2)). */
int ec_txn_put(struct ec_txn *t, enum ec_section sec, const char *name,
	       const void *data, size_t len, mode_t mode, struct ec_err *e);
/* Stage an object's new content unless the store holds these very bytes
 * (s: the store t writes; t NULL: a dry run, nothing staged).  1 when it
 * is (or would be) staged, 0 when the store has it, -1 with e. */
int ec_txn_put_if_changed(struct ec_store *s, struct ec_txn *t,
			  enum ec_section sec, const char *name,
			  const void *data, size_t len, mode_t mode,
			  struct ec_err *e);
/* Stage an object's removal. */
int ec_txn_del(struct ec_txn *t, enum ec_section sec, const char *name,
	       struct ec_err *e);
/* How many changes are staged. */
size_t ec_txn_count(const struct ec_txn *t);
/* Make every staged change, all or none; frees t either way. */
int ec_txn_commit(struct ec_txn *t, struct ec_err *e);
/* Drop the staged changes; frees t. */
void ec_txn_abort(struct ec_txn *t);

#endif
