/* resolve.h: does a DNS name resolve to an address of this host?  The
 * name's addresses by getaddrinfo(3), this host's by getifaddrs(3). */
#ifndef EC_RESOLVE_H
#define EC_RESOLVE_H

#include <stddef.h>

#include "err.h"

#define EC_RESOLVE_MAX 16

struct ec_resolved {
	char addr[EC_RESOLVE_MAX][64];	/* numeric, as inet_ntop writes */
	int local[EC_RESOLVE_MAX];	/* configured on an interface here */
	size_t n;
	char error[128];		/* why it did not resolve, or "" */
};

/* Resolve name (each address once, at most EC_RESOLVE_MAX).  Returns the
 * number of local addresses among them; a name that does not resolve is
 * 0 with error set, not a failure.  -1 only when the host's own
 * addresses cannot be read. */
int ec_resolve_local(const char *name, struct ec_resolved *r,
		     struct ec_err *e);

#endif
