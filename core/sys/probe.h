/* probe.h: is the new certificate served?  assign --served HOST:PORT[,SNI]
 * connects to the daemon after the deploy hook, shakes hands with GnuTLS
 * (no verification: only the leaf matters) and compares the DER of the
 * leaf it presents with the assigned certificate's, trying again every
 * 200 ms until it matches or the time (--served-timeout) is up.  Plain
 * TLS from the first byte (HTTPS, SIP over TLS); no STARTTLS. */
#ifndef EC_PROBE_H
#define EC_PROBE_H

#include <gnutls/gnutls.h>

#include "err.h"

#define EC_PROBE_MAX 8		/* --served targets */
#define EC_PROBE_TRIES 100	/* at most, whatever the time */

struct ec_probe_target {
	char host[256], port[8], sni[256];	/* sni empty: none */
	char spec[600];				/* as given */
};

struct ec_probe_result {
	int served;		/* the leaf was the certificate */
	int tries;
	char seen[41];		/* SHA-1 of the last leaf seen, or empty */
	char msg[1024];
};

/* HOST:PORT[,SNI]; HOST may be [IPv6].  usage when malformed. */
int ec_probe_parse(const char *arg, struct ec_probe_target *t,
		   struct ec_err *e);
/* Try t until it presents want (DER) or timeout_ms is spent. */
void ec_probe_run(const struct ec_probe_target *t, const gnutls_datum_t *want,
		  int timeout_ms, struct ec_probe_result *r);

#endif
