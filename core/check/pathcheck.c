#include <string.h>

#include "pathcheck.h"

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

size_t ec_pathcheck(const struct ec_path *p, struct ec_reasons *out)
{
	size_t before = out->n;

	(void)p;
	/* the modules' checks, one call each, go here */
	return out->n - before;
}
