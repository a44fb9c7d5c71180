/* publish.h: an interface's assignment changed as a whole: its record
 * (assigned/NAME.meta, binding.h) and its live link (live.h).  A new
 * assignment writes its generation, lets the daemon's user read it
 * (daccess.h), switches the link, then records; a failure of any step
 * puts back the link and drops the new generation, so a failed run
 * changes nothing.  A run killed between the switch and the record is
 * mended by the next (ec_pub_reconcile). */
#ifndef EC_PUBLISH_H
#define EC_PUBLISH_H

#include <stddef.h>

#include "binding.h"
#include "err.h"
#include "ifacecheck.h"
#include "store.h"

/* The interface's state before a run. */
struct ec_pub {
	struct ec_store *s;
	const char *iface;
	const char *live;		/* STORE/live/NAME, absolute */
	const struct ec_binding *cur;	/* the record */
	unsigned long link_gen;		/* live/NAME's generation */
};

/* Commit the record b (NULL: remove it). */
int ec_pub_commit(const struct ec_pub *p, const struct ec_binding *b,
		  struct ec_err *e);

/* The record is the truth: put the link back at the recorded generation
 * (none without a record) and drop the killed run's own.  *mended 1
 * when it did (p->link_gen updated). */
int ec_pub_reconcile(struct ec_pub *p, int *mended, struct ec_err *e);

/* Publish ls for the record nb (thumbprint, fqdn, assigned, forced,
 * owner, group set by the caller; generation and the previous fields
 * set here), the daemon-access check into da.  *gen gets the new
 * generation.  A prune that fails afterwards is no failure: *pruned 0,
 * its message in warn. */
int ec_pub_assign(const struct ec_pub *p, const struct ec_live_set *ls,
		  struct ec_binding *nb, struct ec_check *da,
		  unsigned long *gen, int *pruned, struct ec_err *warn,
		  struct ec_err *e);

#endif
