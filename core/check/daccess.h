/* daccess.h: can a daemon's user read the live files?  assign --owner
 * and --group give the files to the user a TLS daemon runs as (Debian
 * runs kamailio as kamailio, haproxy as haproxy); the daemon-access check
 * reads them as that user, in a child that takes its identity
 * (setgroups, setresgid, setresuid), so that every directory on the way
 * (the store and its parents, which the files' modes cannot fix) is
 * tried as the daemon will try it. */
#ifndef EC_DACCESS_H
#define EC_DACCESS_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "ifacecheck.h"
#include "live.h"
#include "status.h"

/* --owner USER, --group GROUP: a name or a number; *id gets the number
 * (-1 for the empty string: none).  usage for an unknown name. */
int ec_owner_parse(const char *arg, long *id, struct ec_err *e);
int ec_group_parse(const char *arg, long *id, struct ec_err *e);

/* Fields owner and group of the record: the numbers, or null. */
void ec_daccess_report(struct ec_status *st, long owner, long group);

/* The daemon-access check into c: the files f of generation gen of the
 * interface whose live directory is live (STORE/live/NAME), read as
 * owner and group; gen 0 (--check): only that the user can search the
 * store.  Skipped without owner and group.  -1 with e when it could not
 * run. */
int ec_daccess_live(const char *live, unsigned long gen,
		    const struct ec_live_file *f, size_t n, long owner,
		    long group, struct ec_check *c, struct ec_err *e);

#endif
