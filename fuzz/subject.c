/* subject.c: fuzz what request takes from a person before it signs:
 * --subject (an RFC 4514 DN), --cn and the other parts, --dns, --ip,
 * --eku and --country, one per line of the input.  A request is made
 * and signed with one key made at start. */
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "fuzz.h"
#include "csr.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_signer();
	return 0;
}

/* The next line of *s (NUL-terminated in place), or "" at the end. */
static char *line(char **s)
{
	char *l = *s, *nl = strchr(l, '\n');

	if (nl) {
		*nl = '\0';
		*s = nl + 1;
	} else {
		*s = l + strlen(l);
	}
	return l;
}

static void make(const struct ec_csr_params *p)
{
	gnutls_x509_crq_t crq = NULL;
	struct ec_err e;

	if (ec_csr_check(p, &e) < 0)
		return;
	if (ec_csr_make(p, fuzz_signer(), &crq, &e) == 0)
		gnutls_x509_crq_deinit(crq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_csr_params p = { .template_major = -1,
				   .template_minor = -1 };
	char *all = fuzz_str(data, size), *s = all, *eku;
	struct ec_err e;

	p.subject = line(&s);
	p.cn = line(&s);
	p.org = line(&s);
	p.country = line(&s);
	p.dns[p.ndns++] = line(&s);
	p.ip[p.nip++] = line(&s);
	eku = line(&s);
	p.template_name = line(&s);
	p.template_oid = line(&s);
	if (!*p.template_oid || !ec_oid_ok(p.template_oid))
		p.template_oid = NULL;
	if (!*p.ip[0])
		p.nip = 0;
	if (*eku && ec_eku_parse(eku, &p, &e) < 0)
		p.neku = 0;
	/* --subject DN alone, then the parts */
	{
		struct ec_csr_params q = p;

		q.cn = q.org = q.country = NULL;
		q.ndns = q.nip = 0;
		if (*q.subject)
			make(&q);
	}
	p.subject = NULL;
	if (!*p.country)
		p.country = NULL;
	if (*p.cn)
		make(&p);
	free(all);
	return 0;
}
