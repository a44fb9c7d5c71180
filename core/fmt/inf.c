#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "inf.h"

/* UTF-16 (le: little-endian) to UTF-8; -1 on a lone surrogate. */
static int utf16_to_utf8(const unsigned char *p, size_t n, int le,
			 struct ec_buf *b)
{
	for (size_t i = 0; i + 1 < n; i += 2) {
		uint32_t c = le ? (uint32_t)(p[i] | p[i + 1] << 8) :
				  (uint32_t)(p[i] << 8 | p[i + 1]);

		if (c >= 0xd800 && c <= 0xdbff) {
			uint32_t d;

			if (i + 3 >= n)
				return -1;
			d = le ? (uint32_t)(p[i + 2] | p[i + 3] << 8) :
				 (uint32_t)(p[i + 2] << 8 | p[i + 3]);
			if (d < 0xdc00 || d > 0xdfff)
				return -1;
			c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
			i += 2;
		} else if (c >= 0xdc00 && c <= 0xdfff) {
			return -1;
		}
		if (c < 0x80) {
			ec_buf_addc(b, (char)c);
		} else if (c < 0x800) {
			ec_buf_addc(b, (char)(0xc0 | c >> 6));
			ec_buf_addc(b, (char)(0x80 | (c & 0x3f)));
		} else if (c < 0x10000) {
			ec_buf_addc(b, (char)(0xe0 | c >> 12));
			ec_buf_addc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
			ec_buf_addc(b, (char)(0x80 | (c & 0x3f)));
		} else {
			ec_buf_addc(b, (char)(0xf0 | c >> 18));
			ec_buf_addc(b, (char)(0x80 | ((c >> 12) & 0x3f)));
			ec_buf_addc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
			ec_buf_addc(b, (char)(0x80 | (c & 0x3f)));
		}
	}
	return n % 2 ? -1 : 0;
}

/* Bytes of the well-formed UTF-8 character at p (of n left), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t k;
	uint32_t c;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		k = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		k = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		k = 4, c = p[0] & 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((k == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (k == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return k;
}

/* The file as UTF-8 text in b (NUL-terminated). */
static int decode(const unsigned char *d, size_t n, struct ec_buf *b,
		  struct ec_err *e)
{
	unsigned line = 1;

	if (n >= 2 && (d[0] == 0xff || d[0] == 0xfe) && d[0] + d[1] == 0x1fd) {
		if (utf16_to_utf8(d + 2, n - 2, d[0] == 0xff, b) < 0)
			return ec_fail(e, EC_USAGE, "the INF file starts as "
				       "UTF-16 but is not UTF-16");
	} else {
		if (n >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf)
			d += 3, n -= 3;
		ec_buf_add(b, d, n);
	}
	ec_buf_addc(b, '\0');
	if (b->oom)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	for (size_t i = 0, k; i + 1 < b->len; i += k) {
		const unsigned char *p = (const unsigned char *)b->p + i;

		if (*p == '\n')
			line++;
		if (*p == '\0' || !(k = utf8_len(p, b->len - 1 - i)))
			return ec_fail(e, EC_USAGE, "INF line %u: the INF file is "
				       "neither UTF-8 nor UTF-16 with a BOM",
				       line);
	}
	return 0;
}

/* Copy one field of a line from *pp: up to stop (outside quotes), ';' or
 * the end; quotes removed ("" inside them is a quote), unquoted blanks
 * around trimmed.  *pp is left on the stop character. */
static int field(const char **pp, char stop, struct ec_buf *b)
{
	const char *p = *pp;
	size_t keep = 0;
	int q = 0, any = 0;

	ec_buf_reset(b);
	for (; *p; p++) {
		if (q) {
			if (*p == '"' && p[1] == '"') {
				ec_buf_addc(b, '"');
				p++;
			} else if (*p == '"') {
				q = 0;
			} else {
				ec_buf_addc(b, *p);
			}
			keep = b->len;
			continue;
		}
		if (*p == stop || *p == ';')
			break;
		if (*p == '"') {
			q = any = 1;
			continue;
		}
		if ((*p == ' ' || *p == '\t') && !any)
			continue;
		any = 1;
		ec_buf_addc(b, *p);
		if (*p != ' ' && *p != '\t')
			keep = b->len;
	}
	*pp = p;
	b->len = keep;
	ec_buf_addc(b, '\0');
	b->len = keep;
	return q ? -1 : 0;
}

static int add_line(struct ec_inf *inf, const char *sec, const char *key,
		    const char *val, unsigned lineno)
{
	struct ec_inf_line *l = realloc(inf->l, (inf->n + 1) * sizeof(*l));

	if (!l)
		return -1;
	inf->l = l;
	l += inf->n;
	l->section = strdup(sec);
	l->key = strdup(key);
	l->value = strdup(val);
	l->lineno = lineno;
	inf->n++;
	return l->section && l->key && l->value ? 0 : -1;
}

/* One line (NUL-terminated, no line end). */
static int one_line(struct ec_inf *inf, char **sec, const char *p,
		    unsigned lineno, struct ec_buf *k, struct ec_buf *v,
		    struct ec_err *e)
{
	const char *end;

	p += strspn(p, " \t");
	if (!*p || *p == ';')
		return 0;
	if (*p == '[') {
		if (!(end = strchr(p, ']')))
			return ec_fail(e, EC_USAGE, "INF line %u: section header "
				       "without ']'", lineno);
		free(*sec);
		if (!(*sec = strndup(p + 1, (size_t)(end - p - 1))))
			return ec_fail(e, EC_INTERNAL, "out of memory");
		end++;
		end += strspn(end, " \t");
		if (*end && *end != ';')
			return ec_fail(e, EC_USAGE, "INF line %u: text after the "
				       "section header", lineno);
		return 0;
	}
	if (!*sec)
		return ec_fail(e, EC_USAGE, "INF line %u: a key outside any "
			       "[section]", lineno);
	if (field(&p, '=', k) < 0)
		return ec_fail(e, EC_USAGE, "INF line %u: unclosed quote", lineno);
	if (*p != '=') {
		/* [Version] and the like hold bare words; nothing else does */
		if (strcasecmp(*sec, "Version") != 0)
			return ec_fail(e, EC_USAGE, "INF line %u: no '=' in '%s'",
				       lineno, k->p);
		ec_buf_reset(v);
		ec_buf_addc(v, '\0');
	} else {
		p++;
		if (field(&p, 0, v) < 0)
			return ec_fail(e, EC_USAGE, "INF line %u: unclosed quote",
				       lineno);
	}
	if (k->oom || v->oom || add_line(inf, *sec, k->p, v->p, lineno) < 0)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	return 0;
}

static const char *string_of(const struct ec_inf *all, const char *name,
			     size_t len)
{
	for (size_t i = 0; i < all->n; i++)
		if (strcasecmp(all->l[i].section, "Strings") == 0 &&
		    strlen(all->l[i].key) == len &&
		    strncasecmp(all->l[i].key, name, len) == 0)
			return all->l[i].value;
	return NULL;
}

/* %name% of [Strings] in s, %% a percent sign; *s replaced. */
static int subst(const struct ec_inf *all, char **s, unsigned lineno,
		 struct ec_err *e)
{
	struct ec_buf b = { 0 };
	const char *p = *s, *end, *v;
	size_t len;

	if (!strchr(p, '%'))
		return 0;
	while (*p) {
		if (*p != '%' || !(end = strchr(p + 1, '%'))) {
			ec_buf_addc(&b, *p++);
			continue;
		}
		len = (size_t)(end - p - 1);
		if (len == 0) {
			ec_buf_addc(&b, '%');
		} else if ((v = string_of(all, p + 1, len))) {
			ec_buf_adds(&b, v);
		} else {
			ec_buf_free(&b);
			return ec_fail(e, EC_USAGE, "INF line %u: %%%.*s%% is not "
				       "in [Strings]", lineno,
				       (int)(len > 64 ? 64 : len), p + 1);
		}
		p = end + 1;
		if (b.len > EC_INF_VALUE_MAX) {	/* %a%%a%... of a long a */
			ec_buf_free(&b);
			return ec_fail(e, EC_USAGE, "INF line %u: the value "
				       "grows past %u bytes through [Strings]",
				       lineno, (unsigned)EC_INF_VALUE_MAX);
		}
	}
	ec_buf_addc(&b, '\0');
	if (b.oom) {
		ec_buf_free(&b);
		return ec_fail(e, EC_INTERNAL, "out of memory");
	}
	free(*s);
	*s = b.p;
	return 0;
}

static void free_lines(struct ec_inf *inf)
{
	for (size_t i = 0; i < inf->n; i++) {
		free(inf->l[i].section);
		free(inf->l[i].key);
		free(inf->l[i].value);
	}
	free(inf->l);
	inf->l = NULL;
	inf->n = 0;
}

int ec_inf_parse(const unsigned char *data, size_t n, struct ec_inf *out,
		 struct ec_err *e)
{
	struct ec_buf text = { 0 }, k = { 0 }, v = { 0 };
	struct ec_inf all = { 0 };
	char *sec = NULL, *p, *nl;
	unsigned lineno = 0;
	int ret = -1;

	out->l = NULL;
	out->n = 0;
	if (decode(data, n, &text, e) < 0)
		goto out;
	for (p = text.p; p; p = nl) {
		lineno++;
		nl = p + strcspn(p, "\r\n");
		if (*nl == '\r' && nl[1] == '\n')
			*nl++ = '\0';
		if (*nl)
			*nl++ = '\0';
		else
			nl = NULL;
		if (one_line(&all, &sec, p, lineno, &k, &v, e) < 0)
			goto out;
	}
	for (size_t i = 0; i < all.n; i++) {
		struct ec_inf_line *l = &all.l[i];

		if (strcasecmp(l->section, "Strings") == 0)
			continue;
		if (subst(&all, &l->key, l->lineno, e) < 0 ||
		    subst(&all, &l->value, l->lineno, e) < 0)
			goto out;
		if (add_line(out, l->section, l->key, l->value,
			     l->lineno) < 0) {
			ec_fail(e, EC_INTERNAL, "out of memory");
			goto out;
		}
	}
	ret = 0;
out:
	if (ret < 0)
		free_lines(out);
	free_lines(&all);
	free(sec);
	ec_buf_free(&k);
	ec_buf_free(&v);
	ec_buf_free(&text);
	return ret;
}

void ec_inf_free(struct ec_inf *inf)
{
	free_lines(inf);
}
