#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assignment.h"
#include "certstore.h"
#include "daccess.h"

/* owner or group: a number, or -1. */
static long id_of(const struct ec_meta *m, const char *key)
{
	const char *v = ec_meta_get(m, key);
	char *end;
	long id;

	if (!v || *v < '0' || *v > '9')
		return -1;
	id = strtol(v, &end, 10);
	return *end || id > 0x7fffffffL ? -1 : id;
}

static unsigned long gen_of(const struct ec_meta *m, const char *key)
{
	const char *v = ec_meta_get(m, key);
	char *end;
	unsigned long g;

	if (!v || *v < '1' || *v > '9')
		return 0;
	g = strtoul(v, &end, 10);
	return *end ? 0 : g;
}

/* A thumbprint from the record: 40 hex digits, else NULL. */
static const char *thumb_of(const struct ec_meta *m, const char *key)
{
	const char *v = ec_meta_get(m, key);

	if (!v || strlen(v) != EC_SHA1_HEX - 1 ||
	    strspn(v, "0123456789abcdef") != EC_SHA1_HEX - 1)
		return NULL;
	return v;
}

static int load(struct ec_store *s, const char *iface,
		struct ec_assignment_record *b, struct ec_err *e)
{
	char name[80];

	memset(b, 0, sizeof(*b));
	b->owner = b->group = -1;
	snprintf(name, sizeof(name), "%s.meta", iface);
	b->have = ec_store_has(s, EC_SEC_ASSIGNED, name);
	if (ec_cs_load_meta(s, EC_SEC_ASSIGNED, iface, &b->m, e) < 0)
		return -1;
	if (!b->have)
		return 0;
	b->thumbprint = thumb_of(&b->m, "thumbprint");
	if (!b->thumbprint)
		return ec_fail(e, EC_STORE_CORRUPT, "the assignment of "
			       "interface '%s' names no certificate", iface);
	b->fqdn = ec_meta_get(&b->m, "fqdn");
	b->assigned = ec_meta_get(&b->m, "assigned");
	b->forced = ec_meta_get(&b->m, "forced");
	b->generation = gen_of(&b->m, "generation");
	b->prev_thumbprint = thumb_of(&b->m, "previous_thumbprint");
	b->prev_fqdn = ec_meta_get(&b->m, "previous_fqdn");
	b->prev_assigned = ec_meta_get(&b->m, "previous_assigned");
	b->prev_forced = ec_meta_get(&b->m, "previous_forced");
	b->prev_generation = gen_of(&b->m, "previous_generation");
	b->owner = id_of(&b->m, "owner");
	b->group = id_of(&b->m, "group");
	return 0;
}

static void record_free(struct ec_assignment_record *b)
{
	ec_meta_free(&b->m);
	memset(b, 0, sizeof(*b));
}

static int set_id(struct ec_meta *m, const char *key, long id)
{
	char num[32];

	if (id < 0)
		return 0;
	snprintf(num, sizeof(num), "%ld", id);
	return ec_meta_set(m, key, num);
}

static int set_gen(struct ec_meta *m, const char *key, unsigned long g)
{
	char num[32];

	if (!g)
		return 0;
	snprintf(num, sizeof(num), "%lu", g);
	return ec_meta_set(m, key, num);
}

/* Stage the record b (its strings, not its m) in t. */
static int stage(struct ec_txn *t, const char *iface,
		 const struct ec_assignment_record *b, struct ec_err *e)
{
	struct ec_meta m = { 0 };
	char name[80], *text = NULL;
	size_t len = 0;
	int r = -1;

	if (ec_meta_set(&m, "interface", iface) < 0 ||
	    ec_meta_set(&m, "thumbprint", b->thumbprint) < 0 ||
	    (b->fqdn && ec_meta_set(&m, "fqdn", b->fqdn) < 0) ||
	    (b->assigned && ec_meta_set(&m, "assigned", b->assigned) < 0) ||
	    set_gen(&m, "generation", b->generation) < 0 ||
	    (b->forced && *b->forced &&
	     ec_meta_set(&m, "forced", b->forced) < 0) ||
	    (b->prev_thumbprint &&
	     (ec_meta_set(&m, "previous_thumbprint", b->prev_thumbprint) < 0 ||
	      (b->prev_fqdn &&
	       ec_meta_set(&m, "previous_fqdn", b->prev_fqdn) < 0) ||
	      (b->prev_assigned &&
	       ec_meta_set(&m, "previous_assigned", b->prev_assigned) < 0) ||
	      (b->prev_forced && *b->prev_forced &&
	       ec_meta_set(&m, "previous_forced", b->prev_forced) < 0) ||
	      set_gen(&m, "previous_generation", b->prev_generation) < 0)) ||
	    set_id(&m, "owner", b->owner) < 0 ||
	    set_id(&m, "group", b->group) < 0 ||
	    !(text = ec_meta_format(&m, &len))) {
		ec_fail(e, EC_INTERNAL, "out of memory");
		goto out;
	}
	snprintf(name, sizeof(name), "%s.meta", iface);
	r = ec_txn_put(t, EC_SEC_ASSIGNED, name, text, len, 0644, e);
out:
	free(text);
	ec_meta_free(&m);
	return r;
}

/* Commit the record b (NULL: remove it). */
static int commit(const struct ec_assignment *a,
		  const struct ec_assignment_record *b, struct ec_err *e)
{
	struct ec_txn *t;
	char name[80];

	if (ec_txn_begin(a->s, &t, e) < 0)
		return -1;
	snprintf(name, sizeof(name), "%s.meta", a->iface);
	if ((b ? stage(t, a->iface, b, e)
	       : ec_txn_del(t, EC_SEC_ASSIGNED, name, e)) < 0) {
		ec_txn_abort(t);
		return -1;
	}
	return ec_txn_commit(t, e);
}

/* The record is the truth: put the link back at the recorded generation
 * (none without a record) and drop the killed run's own. */
static int reconcile(struct ec_assignment *a, struct ec_err *e)
{
	struct ec_err ignored;
	const struct ec_assignment_record *cur = &a->cur;
	unsigned long want = cur->have ? cur->generation : 0;
	unsigned long was = a->link_gen;

	if (!was || was == want || (cur->have && !want) ||
	    (want && !ec_live_has(a->s, a->iface, want)))
		return 0;
	if (ec_live_switch(a->s, a->iface, want, e) < 0)
		return -1;
	a->link_gen = want;
	if (!want)
		(void)ec_live_prune(a->s, a->iface, 0, 0, &ignored);
	else if (was != cur->prev_generation)
		(void)ec_live_drop(a->s, a->iface, was, &ignored);
	ec_status_warn(a->st, "interface '%s': live pointed at generation %lu, "
		       "its record at %lu (a run killed midway): put back as "
		       "recorded", a->iface, was, want);
	return 0;
}

int ec_assignment_open(struct ec_assignment *a, struct ec_store *s,
		       const char *iface, int check, struct ec_status *st,
		       struct ec_err *e)
{
	memset(a, 0, sizeof(*a));
	a->s = s;
	a->iface = iface;
	a->check = check;
	a->st = st;
	a->owner = a->group = -1;
	if (ec_live_path(s, iface, a->live, sizeof(a->live), e) < 0 ||
	    load(s, iface, &a->cur, e) < 0 ||
	    ec_live_current(s, iface, &a->link_gen, e) < 0 ||
	    (!check && reconcile(a, e) < 0))
		return -1;
	if (a->cur.have) {
		a->owner = a->cur.owner;
		a->group = a->cur.group;
	}
	return 0;
}

void ec_assignment_close(struct ec_assignment *a)
{
	record_free(&a->cur);
}

/* What is assigned after the run, kept past the record's freeing. */
static void result(struct ec_assignment *a, const char *thumbprint,
		   const char *fqdn)
{
	snprintf(a->thumb_buf, sizeof(a->thumb_buf), "%s",
		 thumbprint ? thumbprint : "");
	snprintf(a->fqdn_buf, sizeof(a->fqdn_buf), "%s", fqdn ? fqdn : "");
	a->thumbprint = thumbprint ? a->thumb_buf : NULL;
	a->fqdn = fqdn ? a->fqdn_buf : NULL;
}

/* Put the link back (when switched) and drop generation gen.  Each step
 * is tried a few times: the error that sent us here may be a passing
 * one. */
static void undo(const struct ec_assignment *a, unsigned long gen,
		 int switched)
{
	struct ec_err ignored;
	int k, ok = !switched;

	for (k = 0; !ok && k < 3; k++)
		ok = ec_live_switch(a->s, a->iface, a->link_gen,
				    &ignored) == 0;
	for (k = 0; ok && k < 3; k++)
		if (ec_live_drop(a->s, a->iface, gen, &ignored) == 0)
			break;
}

/* c, at generation gen, as the previous assignment of nb. */
static void as_previous(struct ec_assignment_record *nb,
			const struct ec_assignment_record *c,
			unsigned long gen)
{
	nb->prev_thumbprint = c->thumbprint;
	nb->prev_fqdn = c->fqdn;
	nb->prev_assigned = c->assigned;
	nb->prev_forced = c->forced;
	nb->prev_generation = gen;
}

/* The record of w at generation gen.  The one before stays the
 * rollback's when the same certificate comes again (a new name, a mended
 * live directory); else the current one becomes it. */
static void new_record(const struct ec_assignment *a,
		       const struct ec_assignment_want *w, const char *when,
		       unsigned long gen, struct ec_assignment_record *nb)
{
	const struct ec_assignment_record *c = &a->cur;

	*nb = (struct ec_assignment_record){ .thumbprint = w->thumbprint,
		.fqdn = w->fqdn, .assigned = when, .forced = w->forced,
		.generation = gen, .owner = a->owner, .group = a->group };
	if (c->have && strcmp(c->thumbprint, nb->thumbprint) == 0) {
		nb->prev_thumbprint = c->prev_thumbprint;
		nb->prev_fqdn = c->prev_fqdn;
		nb->prev_assigned = c->prev_assigned;
		nb->prev_forced = c->prev_forced;
		nb->prev_generation = c->prev_generation;
	} else if (c->have && a->link_gen) {
		as_previous(nb, c, a->link_gen);
	}
}

/* The record of a rollback: the previous assignment (with what was
 * forced), the current one (at the link's generation, else its
 * recorded one) as the previous, the owner and group kept. */
static void swapped(const struct ec_assignment *a, const char *when,
		    struct ec_assignment_record *nb)
{
	const struct ec_assignment_record *c = &a->cur;

	*nb = (struct ec_assignment_record){ .thumbprint = c->prev_thumbprint,
		.fqdn = c->prev_fqdn, .assigned = when,
		.forced = c->prev_forced, .generation = c->prev_generation,
		.owner = c->owner, .group = c->group };
	as_previous(nb, c, a->link_gen ? a->link_gen : c->generation);
}

static void now_rfc3339(char *buf, size_t n)
{
	ec_time_rfc3339(time(NULL), buf, n);
}

/* Write the generation, let the daemon read it, switch it in, record
 * it, prune. */
static int write_new(struct ec_assignment *a, const struct ec_live_set *ls,
		     const struct ec_assignment_want *w, struct ec_check *da,
		     struct ec_err *e)
{
	struct ec_assignment_record nb;
	struct ec_err warn;
	char when[32];
	unsigned long gen;

	if (ec_live_write(a->s, a->iface, ls->f, ls->n, &gen, e) < 0)
		return -1;
	/* the daemon reads the new files before they are switched in */
	if (ec_daccess_live(a->live, gen, ls->f, ls->n, a->owner, a->group,
			    da, e) < 0 || da->outcome == EC_OUT_FAIL) {
		undo(a, gen, 0);
		if (da->outcome == EC_OUT_FAIL)
			ec_fail(e, EC_NO_DAEMON_ACCESS, "refusing to assign %s "
				"to interface '%s': daemon-access: %s; nothing "
				"changed", w->thumbprint, a->iface, da->msg);
		return -1;
	}
	now_rfc3339(when, sizeof(when));
	new_record(a, w, when, gen, &nb);
	/* switch, then record */
	if (ec_live_switch(a->s, a->iface, gen, e) < 0) {
		undo(a, gen, 0);
		return -1;
	}
	if (commit(a, &nb, e) < 0) {
		undo(a, gen, 1);
		return -1;
	}
	a->generation = gen;
	if (ec_live_prune(a->s, a->iface, gen, nb.prev_generation,
			  &warn) < 0)
		ec_status_warn(a->st, "%s", warn.msg);
	return 0;
}

static int same_str(const char *x, const char *y)
{
	return x == y || (x && y && strcmp(x, y) == 0);
}

int ec_assignment_publish(struct ec_assignment *a,
			  const struct ec_live_set *ls,
			  const struct ec_assignment_want *w,
			  struct ec_check *da, struct ec_err *e)
{
	const struct ec_assignment_record *c = &a->cur;

	a->generation = a->link_gen;
	a->changed = !(c->have && strcmp(c->thumbprint, w->thumbprint) == 0 &&
		       same_str(c->fqdn, w->fqdn) && a->link_gen &&
		       a->link_gen == c->generation &&
		       c->owner == a->owner && c->group == a->group &&
		       ec_live_same(a->s, a->iface, a->link_gen, ls->f,
				    ls->n));
	if (a->changed && !a->check && write_new(a, ls, w, da, e) < 0)
		return -1;
	/* the files in place (or, with check, the store) for the daemon */
	if ((!a->changed || a->check) &&
	    ec_daccess_live(a->live, a->check ? 0 : a->link_gen, ls->f, ls->n,
			    a->owner, a->group, da, e) < 0)
		return -1;
	if (da->outcome == EC_OUT_FAIL && (!a->changed || a->check))
		return ec_fail(e, EC_NO_DAEMON_ACCESS, "interface '%s': "
			       "daemon-access: %s", a->iface, da->msg);
	if (a->changed && a->check)
		a->generation = 0;
	result(a, w->thumbprint, w->fqdn);
	return 0;
}

int ec_assignment_previous(const struct ec_assignment *a,
			   const char **thumbprint, const char **fqdn,
			   struct ec_err *e)
{
	const struct ec_assignment_record *c = &a->cur;
	char name[EC_SHA1_HEX + 4];

	if (!c->have)
		return ec_fail(e, EC_NOT_FOUND, "no certificate is assigned "
			       "to interface '%s'", a->iface);
	snprintf(name, sizeof(name), "%s.pem",
		 c->prev_thumbprint ? c->prev_thumbprint : "");
	if (!c->prev_thumbprint || !c->prev_generation ||
	    !ec_live_has(a->s, a->iface, c->prev_generation) ||
	    !ec_store_has(a->s, EC_SEC_PERSONAL, name))
		return ec_fail(e, EC_NOT_FOUND, "interface '%s' has no "
			       "previous assignment to roll back to",
			       a->iface);
	*thumbprint = c->prev_thumbprint;
	*fqdn = c->prev_fqdn;
	return 0;
}

int ec_assignment_rollback(struct ec_assignment *a, struct ec_err *e)
{
	const struct ec_assignment_record *c = &a->cur;
	struct ec_assignment_record nb;
	const char *thumb = NULL, *fqdn = NULL;
	char when[32];

	if (ec_assignment_previous(a, &thumb, &fqdn, e) < 0)
		return -1;
	now_rfc3339(when, sizeof(when));
	swapped(a, when, &nb);
	result(a, thumb, fqdn);
	a->generation = c->prev_generation;
	a->changed = 1;
	if (a->check)
		return 0;
	if (ec_live_own(a->s, a->iface, c->prev_generation, c->owner,
			c->group, e) < 0 || commit(a, &nb, e) < 0)
		return -1;
	return ec_live_switch(a->s, a->iface, c->prev_generation, e);
}

int ec_assignment_clear(struct ec_assignment *a, struct ec_err *e)
{
	a->changed = a->cur.have || a->link_gen ||
		     ec_live_has(a->s, a->iface, a->cur.generation);
	if (!a->changed || a->check)
		return 0;
	if ((a->cur.have && commit(a, NULL, e) < 0) ||
	    ec_live_switch(a->s, a->iface, 0, e) < 0 ||
	    ec_live_prune(a->s, a->iface, 0, 0, e) < 0)
		return -1;
	return 0;
}
