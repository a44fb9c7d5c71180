#include <stdio.h>
#include <string.h>

#include "daccess.h"
#include "publish.h"

int ec_pub_commit(const struct ec_pub *p, const struct ec_binding *b,
		  struct ec_err *e)
{
	struct ec_txn *t;
	char name[80];

	if (ec_txn_begin(p->s, &t, e) < 0)
		return -1;
	snprintf(name, sizeof(name), "%s.meta", p->iface);
	if ((b ? ec_binding_stage(t, p->iface, b, e)
	       : ec_txn_del(t, EC_SEC_ASSIGNED, name, e)) < 0) {
		ec_txn_abort(t);
		return -1;
	}
	return ec_txn_commit(t, e);
}

int ec_pub_reconcile(struct ec_pub *p, int *mended, struct ec_err *e)
{
	struct ec_err ignored;
	const struct ec_binding *cur = p->cur;
	unsigned long want = cur->have ? cur->generation : 0;
	unsigned long was = p->link_gen;

	*mended = 0;
	if (!was || was == want || (cur->have && !want) ||
	    (want && !ec_live_has(p->s, p->iface, want)))
		return 0;
	if (ec_live_switch(p->s, p->iface, want, e) < 0)
		return -1;
	p->link_gen = want;
	if (!want)
		(void)ec_live_prune(p->s, p->iface, 0, 0, &ignored);
	else if (was != cur->prev_generation)
		(void)ec_live_drop(p->s, p->iface, was, &ignored);
	*mended = 1;
	return 0;
}

/* Put the link back (when switched) and drop generation gen.  Each step
 * is tried a few times: the error that sent us here may be a passing
 * one. */
static void undo(const struct ec_pub *p, unsigned long gen, int switched)
{
	struct ec_err ignored;
	int k, ok = !switched;

	for (k = 0; !ok && k < 3; k++)
		ok = ec_live_switch(p->s, p->iface, p->link_gen,
				    &ignored) == 0;
	for (k = 0; ok && k < 3; k++)
		if (ec_live_drop(p->s, p->iface, gen, &ignored) == 0)
			break;
}

/* The previous fields of nb: the one before stays the rollback's when
 * the same certificate comes again (a new name, a mended live
 * directory); else the current one becomes it. */
static void previous(const struct ec_pub *p, struct ec_binding *nb)
{
	const struct ec_binding *c = p->cur;

	if (c->have && strcmp(c->thumbprint, nb->thumbprint) == 0) {
		nb->prev_thumbprint = c->prev_thumbprint;
		nb->prev_fqdn = c->prev_fqdn;
		nb->prev_assigned = c->prev_assigned;
		nb->prev_forced = c->prev_forced;
		nb->prev_generation = c->prev_generation;
	} else if (c->have && p->link_gen) {
		nb->prev_thumbprint = c->thumbprint;
		nb->prev_fqdn = c->fqdn;
		nb->prev_assigned = c->assigned;
		nb->prev_forced = c->forced;
		nb->prev_generation = p->link_gen;
	}
}

int ec_pub_assign(const struct ec_pub *p, const struct ec_live_set *ls,
		  struct ec_binding *nb, struct ec_check *da,
		  unsigned long *gen, int *pruned, struct ec_err *warn,
		  struct ec_err *e)
{
	*pruned = 1;
	if (ec_live_write(p->s, p->iface, ls->f, ls->n, gen, e) < 0)
		return -1;
	/* the daemon reads the new files before they are switched in */
	if (ec_daccess_live(p->live, *gen, ls->f, ls->n, nb->owner,
			    nb->group, da, e) < 0 || da->outcome == EC_OUT_FAIL) {
		undo(p, *gen, 0);
		if (da->outcome == EC_OUT_FAIL)
			ec_fail(e, EC_NO_DAEMON_ACCESS, "refusing to assign %s "
				"to interface '%s': daemon-access: %s; nothing "
				"changed", nb->thumbprint, p->iface, da->msg);
		return -1;
	}
	nb->generation = *gen;
	previous(p, nb);
	/* switch, then record */
	if (ec_live_switch(p->s, p->iface, *gen, e) < 0) {
		undo(p, *gen, 0);
		return -1;
	}
	if (ec_pub_commit(p, nb, e) < 0) {
		undo(p, *gen, 1);
		return -1;
	}
	if (ec_live_prune(p->s, p->iface, *gen, nb->prev_generation,
			  warn) < 0)
		*pruned = 0;
	return 0;
}
