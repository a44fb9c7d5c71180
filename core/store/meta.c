#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "meta.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescape [s, end) into a new string; NULL if malformed or no memory. */
static char *unescape(const char *s, const char *end)
{
	char *out = malloc((size_t)(end - s) + 1), *o = out;

	if (!out)
		return NULL;
	while (s < end) {
		if (*s != '\\') {
			if (*s == '\0')
				goto bad;
			*o++ = *s++;
			continue;
		}
		if (++s == end)
			goto bad;
		switch (*s++) {
		case '\\': *o++ = '\\'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'x': {
			int h, l;

			if (end - s < 2 || (h = hexval(s[0])) < 0 ||
			    (l = hexval(s[1])) < 0 || (h == 0 && l == 0))
				goto bad;
			*o++ = (char)(h << 4 | l);
			s += 2;
			break;
		}
		default:
			goto bad;
		}
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static int key_ok(const char *k, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return 0;
	return 1;
}

int ec_meta_parse(struct ec_meta *m, const char *buf, size_t len,
		  struct ec_err *e)
{
	const char *p = buf, *end = buf + len;
	int lineno = 0;

	memset(m, 0, sizeof(*m));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *eq;
		char *key, *val;

		lineno++;
		if (le == p || *p == '#') {
			p = le + 1;
			continue;
		}
		eq = memchr(p, '=', (size_t)(le - p));
		if (!eq || !key_ok(p, (size_t)(eq - p)))
			goto bad;
		key = strndup(p, (size_t)(eq - p));
		val = unescape(eq + 1, le);
		if (!key || !val || ec_meta_set(m, key, val) < 0) {
			free(key);
			free(val);
			ec_meta_free(m);
			return ec_fail(e, EC_INTERNAL, "out of memory");
		}
		free(key);
		free(val);
		p = le + 1;
	}
	return 0;
bad:
	ec_meta_free(m);
	return ec_fail(e, EC_STORE_CORRUPT, "malformed metadata at line %d",
		       lineno);
}

const char *ec_meta_get(const struct ec_meta *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->kv[i].key, key) == 0)
			return m->kv[i].val;
	return NULL;
}

int ec_meta_set(struct ec_meta *m, const char *key, const char *val)
{
	struct ec_meta_kv *kv;
	char *v = NULL, *k;
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->kv[i].key, key) == 0)
			break;
	if (!val) {
		if (i < m->n) {
			free(m->kv[i].key);
			free(m->kv[i].val);
			m->kv[i] = m->kv[--m->n];
		}
		return 0;
	}
	if (!(v = strdup(val)))
		return -1;
	if (i < m->n) {
		free(m->kv[i].val);
		m->kv[i].val = v;
		return 0;
	}
	kv = realloc(m->kv, (m->n + 1) * sizeof(*kv));
	k = strdup(key);
	if (!kv || !k) {
		if (kv)
			m->kv = kv;
		free(k);
		free(v);
		return -1;
	}
	m->kv = kv;
	m->kv[m->n].key = k;
	m->kv[m->n].val = v;
	m->n++;
	return 0;
}

char *ec_meta_format(const struct ec_meta *m, size_t *len)
{
	struct ec_buf b = { 0 };

	for (size_t i = 0; i < m->n; i++) {
		ec_buf_addf(&b, "%s=", m->kv[i].key);
		for (const unsigned char *s = (const unsigned char *)m->kv[i].val;
		     *s; s++) {
			if (*s == '\\')
				ec_buf_adds(&b, "\\\\");
			else if (*s == '\n')
				ec_buf_adds(&b, "\\n");
			else if (*s == '\r')
				ec_buf_adds(&b, "\\r");
			else if (*s == '\t')
				ec_buf_adds(&b, "\\t");
			else if (*s < 0x20 || *s == 0x7f)
				ec_buf_addf(&b, "\\x%02x", *s);
			else
				ec_buf_addc(&b, (char)*s);
		}
		ec_buf_addc(&b, '\n');
	}
	if (b.oom) {
		ec_buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.p ? b.p : strdup("");
}

void ec_meta_free(struct ec_meta *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->kv[i].key);
		free(m->kv[i].val);
	}
	free(m->kv);
	memset(m, 0, sizeof(*m));
}
