/* armor.h: the DER inside what a user hands us, as Windows and the
 * tools around it write it: DER as is, PEM under any label (certutil's
 * "BEGIN NEW CERTIFICATE REQUEST", the CA's "BEGIN CERTIFICATE" around a
 * PKCS#7), bare base64, with CRLF or LF, text before and after the
 * armour, a UTF-8 byte order mark, and UTF-16LE or UTF-16BE with a byte
 * order mark (PowerShell 5.1's Out-File).  Every applet that reads a
 * certificate, bundle or PKCS#12 file from the user reads it through
 * ec_armor_read.
 *
 * Bytes after a complete outer DER (Windows pads some exports with NUL
 * bytes) are cut off and counted in trailing; the length is read with
 * libtasn1.  An outer BER of indefinite length, and a DER whose length
 * runs past the end, are left whole, for the parser to take or refuse. */
#ifndef EC_ARMOR_H
#define EC_ARMOR_H

#include <stddef.h>

#include "err.h"

struct ec_armor_obj {
	unsigned char *der;	/* malloc'd */
	size_t len;
	size_t trailing;	/* bytes after the outer DER, dropped */
	char label[64];		/* the PEM label; "" for DER and bare base64 */
};

struct ec_armor {
	struct ec_armor_obj *obj;	/* in the order of the input */
	size_t n;
	int text;			/* PEM or base64, not DER */
	const char *encoding;		/* "UTF-16LE", "UTF-8 BOM"...; or NULL */
};

/* Decode data (name is the file's name, for messages) into out.  Nothing
 * recognisable, a PEM block without END line or with broken base64:
 * bad-input.  An empty input gives n 0. */
int ec_armor_read(const unsigned char *data, size_t len, const char *name,
		  struct ec_armor *out, struct ec_err *e);
/* The sum of trailing over all objects. */
size_t ec_armor_trailing(const struct ec_armor *a);
void ec_armor_free(struct ec_armor *a);

/* The size of the outer TLV at p (tag, length and content), or 0 when
 * it cannot be read, has an indefinite length or runs past len. */
size_t ec_der_outer_len(const unsigned char *p, size_t len);

#endif
