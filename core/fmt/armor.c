#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <libtasn1.h>

#include "armor.h"

size_t ec_der_outer_len(const unsigned char *p, size_t len)
{
	unsigned char cls;
	unsigned long tag;
	int tl, ll;
	long l;

	if (len < 2 || len > (size_t)1 << 30)
		return 0;
	if (asn1_get_tag_der(p, (int)len, &cls, &tl, &tag) != ASN1_SUCCESS)
		return 0;
	/* a definite length only: libtasn1 4.19 miscounts some nested
	 * indefinite lengths (NSS' PKCS#12), so BER of indefinite length
	 * is left whole */
	l = asn1_get_length_der(p + tl, (int)len - tl, &ll);
	if (l < 0 || (size_t)tl + (size_t)ll + (size_t)l > len)
		return 0;
	return (size_t)tl + (size_t)ll + (size_t)l;
}

static int add_obj(struct ec_armor *a, const unsigned char *der, size_t len,
		   const char *label, struct ec_err *e)
{
	struct ec_armor_obj *v = realloc(a->obj, (a->n + 1) * sizeof(*v)), *o;
	size_t outer = ec_der_outer_len(der, len);

	if (!v)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	a->obj = v;
	o = &v[a->n];
	memset(o, 0, sizeof(*o));
	/* a length past the end is left whole: the parser says damaged */
	if (outer && outer < len) {
		o->trailing = len - outer;
		len = outer;
	}
	if (!(o->der = malloc(len ? len : 1)))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	memcpy(o->der, der, len);
	o->len = len;
	snprintf(o->label, sizeof(o->label), "%s", label);
	a->n++;
	return 0;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static int is_b64(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
}

/* Base64 text (white space ignored) decoded and added. */
static int add_b64(struct ec_armor *a, const unsigned char *p, size_t len,
		   int skip_headers, const char *label, const char *what,
		   struct ec_err *e)
{
	gnutls_datum_t in, der = { NULL, 0 };
	unsigned char *s = malloc(len + 1);
	size_t n = 0, i = 0;
	int r;

	if (!s)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	while (i < len) {
		size_t eol = i;

		while (eol < len && p[eol] != '\n')
			eol++;
		/* RFC 1421 headers (Proc-Type: ...) are no base64 */
		if (!(skip_headers && memchr(p + i, ':', eol - i)))
			for (size_t k = i; k < eol; k++)
				if (!is_space(p[k]))
					s[n++] = p[k];
		i = eol + 1;
	}
	in.data = s;
	in.size = (unsigned)n;
	r = n ? gnutls_base64_decode2(&in, &der) :
		GNUTLS_E_BASE64_DECODING_ERROR;
	gnutls_memset(s, 0, n);	/* a PFX's base64 is its key's */
	free(s);
	if (r < 0)
		return ec_fail(e, EC_BAD_INPUT, "%s is not valid base64: %s",
			       what, gnutls_strerror(r));
	r = add_obj(a, der.data, der.size, label, e);
	gnutls_memset(der.data, 0, der.size);
	gnutls_free(der.data);
	return r;
}

/* Every PEM block of a text, whatever its label. */
static int read_pem(struct ec_armor *a, const char *text, size_t len,
		    const char *name, struct ec_err *e)
{
	const char *p = text, *end = text + len;
	char what[200], label[64];
	int nblock = 0;

	while ((p = memmem(p, (size_t)(end - p), "-----BEGIN ", 11))) {
		const char *lab = p + 11, *labend, *body, *stop, *close;

		nblock++;
		labend = memmem(lab, (size_t)(end - lab), "-----", 5);
		if (!labend || memchr(lab, '\n', (size_t)(labend - lab)))
			return ec_fail(e, EC_BAD_INPUT, "'%s': PEM block %d "
				       "has a broken BEGIN line", name, nblock);
		snprintf(label, sizeof(label), "%.*s",
			 (int)(labend - lab), lab);
		snprintf(what, sizeof(what), "'%s': PEM block %d (%s)", name,
			 nblock, label);
		body = labend + 5;
		stop = memmem(body, (size_t)(end - body), "-----END ", 9);
		close = stop ? memmem(stop + 9, (size_t)(end - stop - 9),
				      "-----", 5) : NULL;
		if (!close)
			return ec_fail(e, EC_BAD_INPUT, "%s has no END line",
				       what);
		if (add_b64(a, (const unsigned char *)body,
			    (size_t)(stop - body), 1, label, what, e) < 0)
			return -1;
		p = close + 5;
	}
	return 0;
}

/* UTF-16 text (after its byte order mark) as 8-bit text: ASCII kept,
 * anything else '?' (only comments around the armour are not ASCII). */
static int from_utf16(const unsigned char *p, size_t len, int big,
		      const char *name, unsigned char **out, size_t *outlen,
		      struct ec_err *e)
{
	unsigned char *s;

	if (len % 2)
		return ec_fail(e, EC_BAD_INPUT, "'%s' is UTF-16 text with an "
			       "odd number of bytes", name);
	if (!(s = malloc(len / 2 + 1)))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	for (size_t i = 0; i < len / 2; i++) {
		unsigned u = big ? (unsigned)p[2 * i] << 8 | p[2 * i + 1] :
				   (unsigned)p[2 * i + 1] << 8 | p[2 * i];

		s[i] = u < 0x80 ? (unsigned char)u : '?';
	}
	s[len / 2] = '\0';
	*out = s;
	*outlen = len / 2;
	return 0;
}

static int all_b64(const unsigned char *p, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (is_space(p[i]))
			continue;
		if (!is_b64(p[i]))
			return 0;
		n++;
	}
	return n > 0;
}

static int all_space(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_space(p[i]))
			return 0;
	return 1;
}

static int read_text(struct ec_armor *a, const unsigned char *p, size_t len,
		     const char *name, struct ec_err *e)
{
	char what[200];

	a->text = 1;
	if (memmem(p, len, "-----BEGIN ", 11))
		return read_pem(a, (const char *)p, len, name, e);
	snprintf(what, sizeof(what), "'%s' (base64)", name);
	return add_b64(a, p, len, 0, "", what, e);
}

int ec_armor_read(const unsigned char *data, size_t len, const char *name,
		  struct ec_armor *out, struct ec_err *e)
{
	unsigned char *conv = NULL;
	size_t clen = 0, outer;
	int r, big, text;

	memset(out, 0, sizeof(*out));
	if (len >= 2 && ((data[0] == 0xff && data[1] == 0xfe) ||
			 (data[0] == 0xfe && data[1] == 0xff))) {
		big = data[0] == 0xfe;
		out->encoding = big ? "UTF-16BE" : "UTF-16LE";
		if (from_utf16(data + 2, len - 2, big, name, &conv, &clen,
			       e) < 0 || !conv)
			return -1;
		r = read_text(out, conv, clen, name, e);
		gnutls_memset(conv, 0, clen);
		free(conv);
		goto out;
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		out->encoding = "UTF-8 with BOM";
		data += 3;
		len -= 3;
	}
	outer = len && data[0] == 0x30 ? ec_der_outer_len(data, len) : 0;
	text = !outer && (memmem(data, len, "-----BEGIN ", 11) ||
			  all_b64(data, len));
	if (all_space(data, len))
		r = 0;
	else if (text)
		r = read_text(out, data, len, name, e);
	else if (len && data[0] == 0x30)
		r = add_obj(out, data, len, "", e);	/* DER, or damaged */
	else
		r = ec_fail(e, EC_BAD_INPUT, "'%s' is neither DER, PEM nor "
			    "base64", name);
out:
	if (r < 0)
		ec_armor_free(out);
	return r;
}

size_t ec_armor_trailing(const struct ec_armor *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++)
		n += a->obj[i].trailing;
	return n;
}

void ec_armor_free(struct ec_armor *a)
{
	for (size_t i = 0; i < a->n; i++) {
		gnutls_memset(a->obj[i].der, 0, a->obj[i].len);
		free(a->obj[i].der);
	}
	free(a->obj);
	memset(a, 0, sizeof(*a));
}
