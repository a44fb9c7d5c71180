/* assignment.h: an interface's assignment, the one module that changes
 * it: its record, STORE/assigned/NAME.meta (key=value, meta.h):
 *
 *   interface, thumbprint, fqdn, assigned (RFC 3339), generation (of
 *   live/NAME), forced (the checks --force overrode, comma-separated),
 *   and previous_thumbprint, previous_fqdn, previous_assigned,
 *   previous_generation, previous_forced: the assignment before it, for
 *   a rollback; owner and group (numbers: assign --owner/--group), kept
 *   by every later generation and rollback until changed;
 *
 * and its live directory, STORE/live/NAME (live.h), changed with it as a
 * whole.  A new assignment writes its generation, lets the daemon's user
 * read it (daccess.h), switches live/NAME, then records; a failure of any
 * step puts back the link and drops the new generation, so a failed run
 * changes nothing.  The record is the truth: a run killed between the
 * switch and the record is mended by the next one's ec_assignment_open.
 *
 * Used by assign (and a renewal that assigns a new certificate), the
 * store open for writing (for reading only with check):
 *
 *	ec_assignment_open(&a, s, iface, check, st, &e);
 *	a.owner = ...;				(--owner, else the record's)
 *	ec_live_set_make(crt, path, key, url, a.owner, a.group, &ls, &e);
 *	ec_assignment_publish(&a, &ls, &want, da, &e);
 *	    or ec_assignment_rollback(&a, &e) after ec_assignment_previous,
 *	    or ec_assignment_clear(&a, &e)
 *	ec_assignment_close(&a);		(then the store)
 *
 * then, the store closed, the deploy hook and the --served check
 * (deploy.h) with what a holds after the run.  With check (--check)
 * nothing is written: a says what the run would do.
 *
 * A renewal moves an interface to the new certificate the same way:
 * ec_assignment_open; when a.cur.thumbprint names the old one, the
 * interface checks (ifcheck.h) on the new one, ec_live_set_make for the
 * record's owner and group, ec_assignment_publish with want.fqdn =
 * a.cur.fqdn; the old assignment becomes the one a rollback returns
 * to. */
#ifndef EC_ASSIGNMENT_H
#define EC_ASSIGNMENT_H

#include <stddef.h>

#include "cert.h"
#include "err.h"
#include "ifacecheck.h"
#include "live.h"
#include "meta.h"
#include "status.h"
#include "store.h"

/* A record as read. */
struct ec_assignment_record {
	int have;			/* the record exists */
	const char *thumbprint, *fqdn, *assigned, *forced;
	unsigned long generation;
	const char *prev_thumbprint, *prev_fqdn, *prev_assigned, *prev_forced;
	unsigned long prev_generation;
	long owner, group;		/* -1: none */
	struct ec_meta m;		/* owns the strings */
};

struct ec_assignment {
	struct ec_store *s;
	const char *iface;
	int check;			/* write nothing */
	struct ec_status *st;		/* for warnings */
	char live[4096];		/* STORE/live/NAME, absolute */
	struct ec_assignment_record cur;	/* the record before the run */
	unsigned long link_gen;		/* live/NAME's generation before */
	long owner, group;		/* the live files' (-1: none): the
					 * record's, for the caller to change */
	/* after the run, kept past ec_assignment_close: */
	int changed;			/* (with check: would change) */
	unsigned long generation;	/* live/NAME's (0: none, or a new
					 * one --check would write) */
	const char *thumbprint, *fqdn;	/* assigned (NULL: none), pointing
					 * into the buffers */
	char thumb_buf[EC_SHA1_HEX], fqdn_buf[256];
};

/* What a new assignment names. */
struct ec_assignment_want {
	const char *thumbprint;		/* the personal certificate's SHA-1 */
	const char *fqdn;		/* or NULL */
	const char *forced;		/* the checks overridden, or "" */
};

/* The state of interface iface (a valid name) in the open store s, its
 * record and link; without check, a link the record does not name is
 * put back as recorded first (a warning in st says so). */
int ec_assignment_open(struct ec_assignment *a, struct ec_store *s,
		       const char *iface, int check, struct ec_status *st,
		       struct ec_err *e);
/* Forget the record (the store may close); the results stay. */
void ec_assignment_close(struct ec_assignment *a);

/* Assign w with the live files ls (made for a->owner and a->group),
 * unless the interface has it already, the same files included
 * (a->changed 0).  The daemon-access check goes into da: a failure is
 * no-daemon-access and, for a new generation, changes nothing.  A prune
 * that fails afterwards is a warning. */
int ec_assignment_publish(struct ec_assignment *a,
			  const struct ec_live_set *ls,
			  const struct ec_assignment_want *w,
			  struct ec_check *da, struct ec_err *e);

/* The assignment a rollback goes back to: its thumbprint and fqdn, or
 * not-found when there is none (or its generation or certificate is
 * gone). */
int ec_assignment_previous(const struct ec_assignment *a,
			   const char **thumbprint, const char **fqdn,
			   struct ec_err *e);
/* Switch back to it: its generation, given to the record's owner and
 * group, and a record where the current one is the previous. */
int ec_assignment_rollback(struct ec_assignment *a, struct ec_err *e);

/* Remove the record and the live directory (a->changed 0: nothing
 * there). */
int ec_assignment_clear(struct ec_assignment *a, struct ec_err *e);

#endif
