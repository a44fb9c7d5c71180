/* namematch.h: whether a name is within a name constraint's subtree, one
 * function a form (RFC 5280 4.2.1.10; nameconstr.h says how each form
 * reads).  Names and subtrees are the values of a GeneralName (text as
 * it is, octets); text is compared with ASCII case folded.  Each returns
 * 1 (within), 0 (not), -1 (malformed) or -2 (a name that cannot be
 * evaluated). */
#ifndef EC_NAMEMATCH_H
#define EC_NAMEMATCH_H

#include <stddef.h>

#include <gnutls/x509.h>

/* A dNSName; a wildcard stands for every name it covers: all within a
 * permitted subtree, any within an excluded one (excluded: 1). */
int ec_nm_dns(const unsigned char *h, size_t hn, const unsigned char *c,
	      size_t cn, int excluded);
/* An rfc822Name mailbox (it has an '@'). */
int ec_nm_email(const unsigned char *m, size_t mn, const unsigned char *c,
		size_t cn);
/* A URI's host; -2 when it has none. */
int ec_nm_uri(const unsigned char *u, size_t un, const unsigned char *c,
	      size_t cn);
/* An address (4 or 16 octets) and an address and prefix mask (8 or 32);
 * -1 when either has another length or the mask is no prefix. */
int ec_nm_ip(const unsigned char *a, size_t an, const unsigned char *c,
	     size_t cn);
/* A DN with the subtree's DN as a prefix, RDN by RDN, attribute values
 * as RFC 5280 7.1 asks at least (string types folded). */
int ec_nm_dn(gnutls_x509_dn_t n, gnutls_x509_dn_t c);

#endif
