#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hostname.h"
#include "pathcheck.h"
#include "webpki.h"
#include "x509rules.h"

void ec_reasons_add(struct ec_reasons *r, const char *name,
		    enum ec_code code)
{
	if (ec_reasons_has(r, name) || r->n >= EC_REASONS_MAX)
		return;
	r->v[r->n].name = name;
	r->v[r->n++].code = code;
}

int ec_reasons_has(const struct ec_reasons *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return 1;
	return 0;
}

void ec_reasons_warn(struct ec_reasons *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nwarn >= EC_REASONS_MAXWARN)
		return;
	va_start(ap, fmt);
	vsnprintf(r->warn[r->nwarn++], sizeof(r->warn[0]), fmt, ap);
	va_end(ap);
}

int ec_rules_parse(const char *s, enum ec_profile_rules *out,
		   struct ec_err *e)
{
	if (strcmp(s, "rfc5280") == 0)
		*out = EC_RULES_RFC5280;
	else if (strcmp(s, "webpki") == 0)
		*out = EC_RULES_WEBPKI;
	else
		return ec_fail(e, EC_USAGE, "--profile wants rfc5280 or "
			       "webpki, not '%s'", s);
	return 0;
}

size_t ec_pathcheck(const struct ec_path *p, struct ec_reasons *out)
{
	size_t before = out->n;

	/* the modules' checks, one call each */
	ec_x509rules(p, out);
	ec_hostname_check(p, out);
	if (p->rules == EC_RULES_WEBPKI)
		ec_webpki_check(p, out);
	return out->n - before;
}
