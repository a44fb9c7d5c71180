/* select.c: fuzz what names a certificate or an interface as a person
 * types it (core/select): thumbprints as Windows shows them, interface
 * and object names, and the other small parsers of the options: times,
 * purposes, profiles, sections, formats and codes. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "cert.h"
#include "select.h"
#include "store.h"
#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), out[EC_SHA256_HEX];
	gnutls_certificate_verification_profiles_t prof;
	struct ec_selector sel = { 0 };
	const char *oid;
	struct ec_err e;
	time_t t;

	if (ec_thumbprint_norm(s, out, &e) == 0) {
		size_t n = strlen(out);

		if (n < 8 || n > 64 || strspn(out, "0123456789abcdef") != n)
			abort();
	} else if (e.code != EC_USAGE) {
		abort();
	}
	if (ec_interface_ok(s) &&
	    (strlen(s) > 64 || strchr(s, '/') || s[0] == '-' || !s[0]))
		abort();
	if (ec_store_name_ok(s) && (strchr(s, '/') || s[0] == '.'))
		abort();
	(void)ec_selector_set(&sel, EC_SEL_NAME, s, &e);
	if (ec_selector_set(&sel, EC_SEL_THUMBPRINT, s, &e) == 0)
		abort();
	/* a zone is digits after its sign (sscanf once took "+-1:-5"):
	 * checked on times of the form YYYY-MM-DD... */
	if (ec_time_parse("--at", s, &t, &e) == 0 && strlen(s) > 10 &&
	    strspn(s, "0123456789") == 4 && s[4] == '-' && s[7] == '-') {
		const char *z = strpbrk(s + 10, "+-");

		if (z && (z[1] < '0' || z[1] > '9' ||
			  strpbrk(z + 1, "+- ") != NULL))
			abort();
	}
	(void)ec_purpose_parse(s, &oid, &e);
	(void)ec_profile_parse(s, &prof, &e);
	(void)ec_section_parse(s);
	(void)ec_format_parse(s);
	(void)ec_code_lookup(s);
	free(s);
	return 0;
}
