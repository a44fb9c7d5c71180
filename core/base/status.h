/* status.h: the one status record a run writes (json, kv or text).
 *
 * Applets add fields with a writer API; the record's common fields
 * (command first, then the applet's fields, then status, changed, code,
 * message and warnings) are written by ec_status_finish.  Out of memory
 * makes the record an internal error rather than a crash. */
#ifndef EC_STATUS_H
#define EC_STATUS_H

#include <stddef.h>

#include "err.h"

enum ec_format { EC_FMT_TEXT, EC_FMT_JSON, EC_FMT_KV };

struct ec_status;

/* Parse "text", "json" or "kv"; -1 if none. */
int ec_format_parse(const char *s);

struct ec_status *ec_status_new(enum ec_format fmt, const char *command);
void ec_status_free(struct ec_status *st);
enum ec_format ec_status_format(const struct ec_status *st);

/* Fields.  Inside an array key is ignored (pass NULL). */
void ec_status_str(struct ec_status *st, const char *key, const char *val);
void ec_status_int(struct ec_status *st, const char *key, long long val);
void ec_status_bool(struct ec_status *st, const char *key, int val);
void ec_status_obj(struct ec_status *st, const char *key);
void ec_status_arr(struct ec_status *st, const char *key);
void ec_status_end(struct ec_status *st);

void ec_status_changed(struct ec_status *st, int changed);
/* What ec_status_changed said (0 if nothing). */
int ec_status_has_changed(const struct ec_status *st);
void ec_status_warn(struct ec_status *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Warnings so far, for the caller to echo on stderr. */
size_t ec_status_nwarnings(const struct ec_status *st);
const char *ec_status_warning(const struct ec_status *st, size_t i);
/* The success message (empty by default). */
void ec_status_message(struct ec_status *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Text form: from now on the fields are left out of the text record and
 * only lines given by ec_status_text appear (a table, say). */
void ec_status_text_custom(struct ec_status *st);
/* A line of the text form; the final line break is added.  Every control
 * character is escaped, line breaks included: a friendly name or a
 * subject cannot start a line of its own (a forged row). */
void ec_status_text(struct ec_status *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Lines of the text form from a string whose line breaks are kept (a
 * usage text, a hook's output); other control characters are escaped. */
void ec_status_text_lines(struct ec_status *st, const char *s);

/* Let the record be written to fd in pieces as it grows (for long lists),
 * so that memory stays bounded. */
void ec_status_stream(struct ec_status *st, int fd);

/* Write the whole record (or its rest) to fd.  Returns 0, or -1 with errno
 * set when the write failed. */
int ec_status_finish(struct ec_status *st, int fd, const struct ec_err *e);

/* Escape s into a JSON string body (no quotes): control characters as
 * \u00XX, invalid UTF-8 bytes as the six characters \\xNN.  Returns a
 * malloc'd string or NULL. */
char *ec_json_escape(const char *s);
/* Escape s for a terminal as the text form does: control characters and
 * invalid UTF-8 bytes as \xNN.  Returns a malloc'd string or NULL. */
char *ec_text_escape(const char *s);

#endif
