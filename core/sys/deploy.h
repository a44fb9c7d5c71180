/* deploy.h: what assign does after the switch, the store closed: run the
 * deploy hook and report it (field hook, or another key), then check
 * that the daemon serves the certificate (--served, core/sys/probe.h) and
 * report each target (field served).  See edgecert-assign(1). */
#ifndef EC_DEPLOY_H
#define EC_DEPLOY_H

#include <gnutls/gnutls.h>

#include "err.h"
#include "probe.h"
#include "status.h"

struct ec_deploy {
	const char *hook;		/* the command */
	const char *iface, *thumbprint, *live, *fqdn, *action, *previous;
};

/* Run d->hook with the EDGECERT_* variables; report it under key.
 * -1 with e hook-failed when it could not run or failed. */
int ec_deploy_hook(struct ec_status *st, const char *key,
		   const struct ec_deploy *d, struct ec_err *e);

/* Probe each target for want (DER); report the array under key.  -1
 * with e not-served when one does not present it. */
int ec_deploy_served(struct ec_status *st, const char *key,
		     const struct ec_probe_target *t, int n,
		     const gnutls_datum_t *want, int timeout_ms,
		     struct ec_err *e);

#endif
