/* fuzz.h: shared by the libFuzzer targets of fuzz/ (see fuzz/README).
 * Each target is one file with LLVMFuzzerTestOneInput and links the core
 * objects; none touches a store or the file system. */
#ifndef EC_FUZZ_H
#define EC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What an applet does with a certificate it read from outside: its ids,
 * names and the certificate object of the status record (into st, as
 * member key; NULL inside an array). */
void fuzz_use_crt(struct ec_status *st, const char *key, gnutls_x509_crt_t crt);

/* One P-256 key for the whole run, made on the first call (a target's
 * LLVMFuzzerInitialize makes it, so that no input pays for it), as
 * ec_csr_make takes it; abort if it cannot be made. */
gnutls_privkey_t fuzz_signer(void);

/* A NUL-terminated copy of data (malloc'd; abort on out of memory). */
char *fuzz_str(const uint8_t *data, size_t size);

/* Finish st into a memory file and check that the record is one that a
 * reader can take: json one line, kv lines of key='...'; abort if not. */
void fuzz_finish(struct ec_status *st, const struct ec_err *e);

#endif
