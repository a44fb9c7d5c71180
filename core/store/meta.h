/* meta.h: the store's small metadata files: "key=value" lines, keys
 * [a-z0-9_]+, values with \\, \n, \r, \t and \xNN escaped so that a
 * friendly name can hold anything. */
#ifndef EC_META_H
#define EC_META_H

#include <stddef.h>

#include "err.h"

struct ec_meta_kv {
	char *key, *val;
};

struct ec_meta {
	struct ec_meta_kv *kv;
	size_t n;
};

int ec_meta_parse(struct ec_meta *m, const char *buf, size_t len,
		  struct ec_err *e);
const char *ec_meta_get(const struct ec_meta *m, const char *key);
/* Set (or, with val NULL, remove) a key.  -1 on out of memory. */
int ec_meta_set(struct ec_meta *m, const char *key, const char *val);
/* The file's text, malloc'd; NULL on out of memory. */
char *ec_meta_format(const struct ec_meta *m, size_t *len);
void ec_meta_free(struct ec_meta *m);

#endif
