/* inf.h: the syntax of a Windows INF file as certreq -new reads it:
 * [Section] headers, key = value lines, ';' comments, "quoted" values
 * ("" is a quote inside them), [Strings] and its %name% substitution
 * (%% is a percent sign), in UTF-8 (with or without a BOM) or UTF-16LE or
 * BE with a BOM, with CRLF, LF or CR line ends.  What the keys mean is
 * infreq.h's business. */
#ifndef EC_INF_H
#define EC_INF_H

#include <stddef.h>

#include "err.h"

/* The longest a value may grow through [Strings] substitution. */
#define EC_INF_VALUE_MAX (64u << 10)

struct ec_inf_line {
	char *section;	/* as written, without the brackets */
	char *key;	/* substituted, unquoted, trimmed */
	char *value;	/* likewise; "" when the line has none */
	unsigned lineno;	/* 1-based */
};

struct ec_inf {
	struct ec_inf_line *l;	/* every key line but [Strings]' */
	size_t n;
};

/* Parse an INF file's bytes.  A line outside a section, a section header
 * without its ']', a line without '=' (but in [Version]), an unclosed
 * quote, an unknown %name%, a value that substitution makes longer than
 * EC_INF_VALUE_MAX, or text that is not UTF-8 after decoding is
 * usage, "line N: ...".  out is empty on failure. */
int ec_inf_parse(const unsigned char *data, size_t n, struct ec_inf *out,
		 struct ec_err *e);
void ec_inf_free(struct ec_inf *inf);

#endif
