#include <stdint.h>
#include <string.h>

#include "namematch.h"

/* ASCII lower case. */
static unsigned char lc(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int eq_nocase(const unsigned char *a, size_t an,
		     const unsigned char *b, size_t bn)
{
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++)
		if (lc(a[i]) != lc(b[i]))
			return 0;
	return 1;
}

/* Is name (a host or domain) c itself, or below it ("." before), or only
 * below it (c with a leading dot, given as sub)? */
static int host_within(const unsigned char *h, size_t hn,
		       const unsigned char *c, size_t cn, int self_ok)
{
	if (cn && c[0] == '.') {
		c++;
		cn--;
		self_ok = 0;
	}
	if (cn && c[cn - 1] == '.')
		cn--;
	if (hn && h[hn - 1] == '.')
		hn--;
	if (cn == 0)
		return 1;	/* "" or ".": every name */
	if (self_ok && eq_nocase(h, hn, c, cn))
		return 1;
	return hn > cn && h[hn - cn - 1] == '.' &&
	       eq_nocase(h + hn - cn, cn, c, cn);
}

/* Does the left-most label pattern (with '*') cover the label x? */
static int glob_label(const unsigned char *pat, size_t pn,
		      const unsigned char *x, size_t xn)
{
	const unsigned char *star = memchr(pat, '*', pn);
	size_t pre = (size_t)(star - pat), post = pn - pre - 1;

	return xn >= pre + post && eq_nocase(pat, pre, x, pre) &&
	       eq_nocase(pat + pn - post, post, x + xn - post, post);
}

/* A dNSName h against the subtree c.  A wildcard (a '*' in the
 * left-most label) stands for every name it covers: in a permitted
 * subtree all of them (its parent is within c, or is c), in an excluded
 * one any (and so does an excluded "x.D" the pattern covers). */
int ec_nm_dns(const unsigned char *h, size_t hn,
		     const unsigned char *c, size_t cn, int excluded)
{
	const unsigned char *dot, *cdot;
	size_t ln;

	if (hn && h[hn - 1] == '.')
		hn--;
	if (cn && c[cn - 1] == '.')
		cn--;
	if (cn == 0 || (cn == 1 && c[0] == '.'))
		return 1;	/* "": every name */
	dot = memchr(h, '.', hn);
	ln = dot ? (size_t)(dot - h) : hn;
	if (!memchr(h, '*', ln))
		return host_within(h, hn, c, cn, 1);
	if (!dot)
		return excluded;	/* "*" covers every name */
	if (c[0] == '.') {
		c++;
		cn--;
	}
	if (host_within(dot + 1, hn - ln - 1, c, cn, 1))
		return 1;
	if (!excluded || !(cdot = memchr(c, '.', cn)))
		return 0;
	return glob_label(h, ln, c, (size_t)(cdot - c)) &&
	       eq_nocase(cdot + 1, cn - (size_t)(cdot - c) - 1, dot + 1,
			 hn - ln - 1);
}

/* An rfc822Name mailbox m against the subtree c. */
int ec_nm_email(const unsigned char *m, size_t mn,
		       const unsigned char *c, size_t cn)
{
	const unsigned char *at = NULL;

	for (size_t i = 0; i < mn; i++)
		if (m[i] == '@')
			at = m + i;
	if (!at)
		return 0;
	if (memchr(c, '@', cn))	/* a mailbox: the local part exactly */
		return mn == cn && (size_t)(at - m) < mn &&
		       memcmp(m, c, (size_t)(at - m)) == 0 &&
		       eq_nocase(at, mn - (size_t)(at - m), c + (at - m),
				 cn - (size_t)(at - m));
	at++;
	if (cn && c[0] == '.')
		return host_within(at, mn - (size_t)(at - m), c, cn, 0);
	return eq_nocase(at, mn - (size_t)(at - m), c, cn);
}

/* The host of a URI "scheme://[userinfo@]host[:port][/...]", or 0. */
static int uri_host(const unsigned char *u, size_t un,
		    const unsigned char **h, size_t *hn)
{
	const unsigned char *p = memchr(u, ':', un), *end = u + un, *e, *at;

	if (!p || end - p < 3 || p[1] != '/' || p[2] != '/')
		return 0;
	p += 3;
	for (e = p; e < end && *e != '/' && *e != '?' && *e != '#'; e++)
		;
	if ((at = memchr(p, '@', (size_t)(e - p))))
		p = at + 1;
	if (p < e && *p == '[') {	/* an IPv6 literal */
		const unsigned char *rb = memchr(p, ']', (size_t)(e - p));

		if (!rb)
			return 0;
		e = rb + 1;
	} else {
		const unsigned char *colon = memchr(p, ':', (size_t)(e - p));

		if (colon)
			e = colon;
	}
	*h = p;
	*hn = (size_t)(e - p);
	return *hn > 0;
}

/* A mask of n octets that is a prefix (ones, then zeros). */
static int prefix_mask(const unsigned char *m, size_t n)
{
	int zero = 0;

	for (size_t i = 0; i < n; i++)
		for (int b = 7; b >= 0; b--) {
			if (!(m[i] >> b & 1))
				zero = 1;
			else if (zero)
				return 0;
		}
	return 1;
}

static int ip_in(const unsigned char *a, size_t an,
		    const unsigned char *c, size_t cn)
{
	if (cn != 2 * an)
		return 0;	/* another family */
	for (size_t i = 0; i < an; i++)
		if ((a[i] & c[an + i]) != (c[i] & c[an + i]))
			return 0;
	return 1;
}

#define TEXT_MAX 1024

/* An attribute value as code points, folded as RFC 5280 7.1 asks at
 * least (LDAP StringPrep in part): ASCII case, white space runs as one
 * space, none at the ends.  Returns the count, or -1 when it is no
 * string type we read or too long. */
static int fold(unsigned long tag, const gnutls_datum_t *v, uint32_t *out)
{
	size_t w, n = 0, i;
	int space = 0;

	switch (tag) {
	case 12: case 19: case 20: case 22: case 26:	/* one octet a char */
		w = 1;
		break;
	case 30:					/* BMPString */
		w = 2;
		break;
	case 28:					/* UniversalString */
		w = 4;
		break;
	default:
		return -1;
	}
	if (v->size % w)
		return -1;
	for (i = 0; i < v->size; i += w) {
		uint32_t c = 0;

		for (size_t k = 0; k < w; k++)
			c = c << 8 | v->data[i + k];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = n > 0;
			continue;
		}
		if (n + 2 > TEXT_MAX)
			return -1;
		if (space)
			out[n++] = ' ';
		space = 0;
		out[n++] = c < 128 ? lc((unsigned char)c) : c;
	}
	return (int)n;
}

static int ava_eq(const gnutls_x509_ava_st *a, const gnutls_x509_ava_st *b)
{
	uint32_t x[TEXT_MAX], y[TEXT_MAX];
	int xn, yn;

	if (a->oid.size != b->oid.size ||
	    memcmp(a->oid.data, b->oid.data, a->oid.size) != 0)
		return 0;
	xn = fold(a->value_tag, &a->value, x);
	yn = fold(b->value_tag, &b->value, y);
	if (xn < 0 || yn < 0)
		return a->value_tag == b->value_tag &&
		       a->value.size == b->value.size &&
		       memcmp(a->value.data, b->value.data, a->value.size) == 0;
	return xn == yn && memcmp(x, y, (size_t)xn * sizeof(x[0])) == 0;
}

static int rdn_size(gnutls_x509_dn_t dn, int irdn)
{
	gnutls_x509_ava_st a;
	int k = 0;

	while (k < 64 && gnutls_x509_dn_get_rdn_ava(dn, irdn, k, &a) == 0)
		k++;
	return k;
}

/* Is the DN c a prefix of the DN n, RDN by RDN (each a set)? */
int ec_nm_dn(gnutls_x509_dn_t n, gnutls_x509_dn_t c)
{
	for (int r = 0;; r++) {
		int k = rdn_size(c, r);

		if (k == 0)
			return 1;
		if (rdn_size(n, r) != k)
			return 0;
		for (int i = 0; i < k; i++) {
			gnutls_x509_ava_st ca, na;
			int found = 0;

			gnutls_x509_dn_get_rdn_ava(c, r, i, &ca);
			for (int j = 0; j < k && !found; j++)
				found = gnutls_x509_dn_get_rdn_ava(n, r, j,
								   &na) == 0 &&
					ava_eq(&ca, &na);
			if (!found)
				return 0;
		}
	}
}

int ec_nm_ip(const unsigned char *a, size_t an, const unsigned char *c,
	     size_t cn)
{
	if ((an != 4 && an != 16) || (cn != 8 && cn != 32) ||
	    !prefix_mask(c + cn / 2, cn / 2))
		return -1;
	return ip_in(a, an, c, cn);
}

int ec_nm_uri(const unsigned char *u, size_t un, const unsigned char *c,
	      size_t cn)
{
	const unsigned char *h;
	size_t hn;

	if (!uri_host(u, un, &h, &hn))
		return -2;
	if (cn && c[0] == '.')
		return host_within(h, hn, c, cn, 0);
	return eq_nocase(h, hn, c, cn);	/* that host only */
}
