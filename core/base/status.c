#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "status.h"

#define MAXDEPTH 16
#define STREAM_CHUNK (64 * 1024)

struct frame {
	char type;		/* 'o' object, 'a' array */
	size_t count;		/* members written so far */
	size_t kvlen;		/* length of the kv key prefix of this frame */
	size_t textmark;	/* text: where "key:" ends, to mark empties */
};

struct ec_status {
	enum ec_format fmt;
	struct ec_buf out;
	struct frame f[MAXDEPTH];
	int depth;		/* f[depth] is the innermost frame */
	int overflow;		/* frames opened past MAXDEPTH */
	char kv[512];		/* current kv key prefix */
	int changed;
	int text_custom;
	int stream_fd;
	int stream_errno;	/* why a streamed write failed */
	char *message;
	char **warn;
	size_t nwarn;
	int oom;
};

int ec_format_parse(const char *s)
{
	if (strcmp(s, "text") == 0)
		return EC_FMT_TEXT;
	if (strcmp(s, "json") == 0)
		return EC_FMT_JSON;
	if (strcmp(s, "kv") == 0)
		return EC_FMT_KV;
	return -1;
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n, i;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static void json_str(struct ec_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	ec_buf_addc(b, '"');
	while (*p) {
		if (*p == '"' || *p == '\\') {
			ec_buf_addc(b, '\\');
			ec_buf_addc(b, (char)*p++);
		} else if (*p == '\n') {
			ec_buf_adds(b, "\\n"), p++;
		} else if (*p == '\t') {
			ec_buf_adds(b, "\\t"), p++;
		} else if (*p == '\r') {
			ec_buf_adds(b, "\\r"), p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			ec_buf_addf(b, "\\u%04x", *p++);
		} else if ((n = utf8_len(p)) == 0) {
			ec_buf_addf(b, "\\\\x%02x", *p++);
		} else if (n == 3 && p[0] == 0xe2 && p[1] == 0x80 &&
			   (p[2] == 0xa8 || p[2] == 0xa9)) {
			/* U+2028, U+2029: valid JSON, but not JavaScript */
			ec_buf_addf(b, "\\u202%c", p[2] == 0xa8 ? '8' : '9');
			p += 3;
		} else {
			ec_buf_add(b, p, n);
			p += n;
		}
	}
	ec_buf_addc(b, '"');
}

char *ec_json_escape(const char *s)
{
	struct ec_buf b = { 0 };

	json_str(&b, s);
	if (b.oom) {
		ec_buf_free(&b);
		return NULL;
	}
	memmove(b.p, b.p + 1, b.len - 2);
	b.p[b.len - 2] = '\0';
	return b.p;
}

/* Single-quoted for sh: eval-safe whatever s holds. */
static void kv_str(struct ec_buf *b, const char *s)
{
	ec_buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			ec_buf_adds(b, "'\\''");
		else
			ec_buf_addc(b, *s);
	}
	ec_buf_addc(b, '\'');
}

/* For a person: printable text, control and invalid bytes as \xNN. */
static void text_str(struct ec_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p) {
		if (*p < 0x20 || *p == 0x7f || (n = utf8_len(p)) == 0) {
			ec_buf_addf(b, "\\x%02x", *p++);
		} else {
			ec_buf_add(b, p, n);
			p += n;
		}
	}
}

char *ec_text_escape(const char *s)
{
	struct ec_buf b = { 0 };

	text_str(&b, s);
	ec_buf_addc(&b, '\0');
	if (b.oom) {
		ec_buf_free(&b);
		return NULL;
	}
	return b.p;
}

struct ec_status *ec_status_new(enum ec_format fmt, const char *command)
{
	struct ec_status *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->fmt = fmt;
	st->stream_fd = -1;
	st->f[0].type = 'o';
	if (fmt == EC_FMT_JSON) {
		ec_buf_adds(&st->out, "{\"command\":");
		json_str(&st->out, command);
		st->f[0].count = 1;
	} else if (fmt == EC_FMT_KV) {
		ec_buf_adds(&st->out, "command=");
		kv_str(&st->out, command);
		ec_buf_addc(&st->out, '\n');
	}
	return st;
}

void ec_status_free(struct ec_status *st)
{
	if (!st)
		return;
	ec_buf_free(&st->out);
	free(st->message);
	for (size_t i = 0; i < st->nwarn; i++)
		free(st->warn[i]);
	free(st->warn);
	free(st);
}

enum ec_format ec_status_format(const struct ec_status *st)
{
	return st->fmt;
}

static void maybe_flush(struct ec_status *st)
{
	if (st->stream_fd < 0 || st->out.len < STREAM_CHUNK || st->out.oom ||
	    st->oom)
		return;
	if (ec_write_all(st->stream_fd, st->out.p, st->out.len) < 0) {
		st->stream_fd = -2;	/* reported at finish */
		st->stream_errno = errno;
	}
	ec_buf_reset(&st->out);
	for (int i = 0; i <= st->depth; i++)
		st->f[i].textmark = (size_t)-2;
}

void ec_status_stream(struct ec_status *st, int fd)
{
	st->stream_fd = fd;
}

/* The kv key of the next member of the innermost frame. */
static void kv_key(struct ec_status *st, const char *key, char *out,
		   size_t outsz)
{
	struct frame *f = &st->f[st->depth];

	if (f->type == 'a')
		snprintf(out, outsz, "%.*s%zu", (int)f->kvlen, st->kv,
			 f->count + 1);
	else
		snprintf(out, outsz, "%.*s%s", (int)f->kvlen, st->kv, key);
}

static int text_on(const struct ec_status *st)
{
	return st->fmt == EC_FMT_TEXT && !st->text_custom;
}

/* Start a member: separators and the key, in every form. */
static void member(struct ec_status *st, const char *key, char *kvk,
		   size_t kvksz)
{
	struct frame *f = &st->f[st->depth];

	switch (st->fmt) {
	case EC_FMT_JSON:
		if (f->count)
			ec_buf_addc(&st->out, ',');
		if (f->type == 'o') {
			json_str(&st->out, key);
			ec_buf_addc(&st->out, ':');
		}
		break;
	case EC_FMT_KV:
		kv_key(st, key, kvk, kvksz);
		break;
	case EC_FMT_TEXT:
		if (!text_on(st))
			break;
		ec_buf_addf(&st->out, "%*s", 2 * st->depth, "");
		if (f->type == 'a')
			ec_buf_adds(&st->out, "- ");
		else
			ec_buf_addf(&st->out, "%s: ", key);
		break;
	}
	f->count++;
}

static void scalar(struct ec_status *st, const char *key, const char *raw,
		   const char *str)
{
	char kvk[600];

	if (st->overflow)
		return;
	member(st, key, kvk, sizeof(kvk));
	switch (st->fmt) {
	case EC_FMT_JSON:
		if (str)
			json_str(&st->out, str);
		else
			ec_buf_adds(&st->out, raw);
		break;
	case EC_FMT_KV:
		ec_buf_addf(&st->out, "%s=", kvk);
		kv_str(&st->out, str ? str : raw);
		ec_buf_addc(&st->out, '\n');
		break;
	case EC_FMT_TEXT:
		if (!text_on(st))
			break;
		text_str(&st->out, str ? str : raw);
		ec_buf_addc(&st->out, '\n');
		break;
	}
	maybe_flush(st);
}

void ec_status_str(struct ec_status *st, const char *key, const char *val)
{
	if (val)
		scalar(st, key, NULL, val);
	else
		scalar(st, key, st->fmt == EC_FMT_JSON ? "null" : "", NULL);
}

void ec_status_int(struct ec_status *st, const char *key, long long val)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", val);
	scalar(st, key, num, NULL);
}

void ec_status_bool(struct ec_status *st, const char *key, int val)
{
	scalar(st, key, val ? "true" : "false", NULL);
}

static void open_frame(struct ec_status *st, const char *key, char type)
{
	char kvk[600];
	struct frame *f;
	size_t n;

	if (st->overflow || st->depth + 1 >= MAXDEPTH) {
		st->overflow++;
		return;
	}
	member(st, key, kvk, sizeof(kvk));
	f = &st->f[st->depth + 1];
	memset(f, 0, sizeof(*f));
	f->type = type;
	switch (st->fmt) {
	case EC_FMT_JSON:
		ec_buf_addc(&st->out, type == 'o' ? '{' : '[');
		break;
	case EC_FMT_KV:
		n = strlen(kvk);
		if (n + 2 > sizeof(st->kv))
			n = sizeof(st->kv) - 2;
		memcpy(st->kv, kvk, n);
		st->kv[n++] = '_';
		st->kv[n] = '\0';
		f->kvlen = n;
		break;
	case EC_FMT_TEXT:
		if (!text_on(st))
			break;
		/* "key: " becomes "key:" and the members follow indented */
		if (st->out.len && st->out.p[st->out.len - 1] == ' ')
			st->out.len--;
		f->textmark = st->out.len;
		ec_buf_addc(&st->out, '\n');
		break;
	}
	st->depth++;
}

void ec_status_obj(struct ec_status *st, const char *key)
{
	open_frame(st, key, 'o');
}

void ec_status_arr(struct ec_status *st, const char *key)
{
	open_frame(st, key, 'a');
}

void ec_status_end(struct ec_status *st)
{
	struct frame *f;

	if (st->overflow) {
		st->overflow--;
		return;
	}
	if (st->depth == 0)
		return;
	f = &st->f[st->depth];
	switch (st->fmt) {
	case EC_FMT_JSON:
		ec_buf_addc(&st->out, f->type == 'o' ? '}' : ']');
		break;
	case EC_FMT_KV:
		if (f->type == 'a')
			ec_buf_addf(&st->out, "%.*scount='%zu'\n",
				    (int)f->kvlen, st->kv, f->count);
		break;
	case EC_FMT_TEXT:
		if (text_on(st) && f->count == 0 &&
		    f->textmark + 1 == st->out.len) {
			st->out.len = f->textmark;
			ec_buf_adds(&st->out, ": (none)\n");
		}
		break;
	}
	st->depth--;
	maybe_flush(st);
}

int ec_status_has_changed(const struct ec_status *st)
{
	return st->changed;
}

void ec_status_changed(struct ec_status *st, int changed)
{
	st->changed = changed != 0;
}

static char *vdup(const char *fmt, va_list ap)
{
	struct ec_buf b = { 0 };

	ec_buf_vaddf(&b, fmt, ap);
	if (b.oom) {
		ec_buf_free(&b);
		return NULL;
	}
	return b.p ? b.p : strdup("");
}

void ec_status_warn(struct ec_status *st, const char *fmt, ...)
{
	char **w;
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vdup(fmt, ap);
	va_end(ap);
	w = s ? realloc(st->warn, (st->nwarn + 1) * sizeof(*w)) : NULL;
	if (!w) {
		free(s);
		st->oom = 1;
		return;
	}
	st->warn = w;
	st->warn[st->nwarn++] = s;
}

size_t ec_status_nwarnings(const struct ec_status *st)
{
	return st->nwarn;
}

const char *ec_status_warning(const struct ec_status *st, size_t i)
{
	return i < st->nwarn ? st->warn[i] : NULL;
}

void ec_status_message(struct ec_status *st, const char *fmt, ...)
{
	va_list ap;

	free(st->message);
	va_start(ap, fmt);
	st->message = vdup(fmt, ap);
	va_end(ap);
	if (!st->message)
		st->oom = 1;
}

void ec_status_text_custom(struct ec_status *st)
{
	st->text_custom = 1;
}

void ec_status_text(struct ec_status *st, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (st->fmt != EC_FMT_TEXT)
		return;
	va_start(ap, fmt);
	s = vdup(fmt, ap);
	va_end(ap);
	if (!s) {
		st->oom = 1;
		return;
	}
	/* one line: a line break in a value is escaped as the rest is */
	text_str(&st->out, s);
	ec_buf_addc(&st->out, '\n');
	free(s);
	maybe_flush(st);
}

void ec_status_text_lines(struct ec_status *st, const char *s)
{
	const char *line = s, *nl;
	size_t n;
	char *one;

	if (st->fmt != EC_FMT_TEXT)
		return;
	n = strlen(s);
	if (n && s[n - 1] == '\n')
		n--;
	for (;;) {
		nl = memchr(line, '\n', n - (size_t)(line - s));
		one = strndup(line, nl ? (size_t)(nl - line) :
			      n - (size_t)(line - s));
		if (!one) {
			st->oom = 1;
			return;
		}
		text_str(&st->out, one);
		ec_buf_addc(&st->out, '\n');
		free(one);
		if (!nl)
			break;
		line = nl + 1;
	}
	maybe_flush(st);
}

static void tail(struct ec_status *st, const char *status, const char *code,
		 const char *msg)
{
	struct ec_buf *b = &st->out;
	char num[32];

	switch (st->fmt) {
	case EC_FMT_JSON:
		ec_buf_adds(b, ",\"status\":");
		json_str(b, status);
		ec_buf_addf(b, ",\"changed\":%s,\"code\":",
			    st->changed ? "true" : "false");
		json_str(b, code);
		ec_buf_adds(b, ",\"message\":");
		json_str(b, msg);
		ec_buf_adds(b, ",\"warnings\":[");
		for (size_t i = 0; i < st->nwarn; i++) {
			if (i)
				ec_buf_addc(b, ',');
			json_str(b, st->warn[i]);
		}
		ec_buf_adds(b, "]}\n");
		break;
	case EC_FMT_KV:
		ec_buf_addf(b, "status='%s'\nchanged='%s'\ncode='%s'\n",
			    status, st->changed ? "true" : "false", code);
		ec_buf_adds(b, "message=");
		kv_str(b, msg);
		ec_buf_addc(b, '\n');
		for (size_t i = 0; i < st->nwarn; i++) {
			ec_buf_addf(b, "warnings_%zu=", i + 1);
			kv_str(b, st->warn[i]);
			ec_buf_addc(b, '\n');
		}
		snprintf(num, sizeof(num), "%zu", st->nwarn);
		ec_buf_addf(b, "warnings_count='%s'\n", num);
		break;
	case EC_FMT_TEXT:
		for (size_t i = 0; i < st->nwarn; i++) {
			ec_buf_adds(b, "warning: ");
			text_str(b, st->warn[i]);
			ec_buf_addc(b, '\n');
		}
		if (strcmp(status, "ok") != 0)
			ec_buf_addf(b, "error: %s: ", code);
		else if (*msg)
			ec_buf_adds(b, "ok: ");
		text_str(b, msg);
		if (*msg || strcmp(status, "ok") != 0)
			ec_buf_addc(b, '\n');
		break;
	}
}

int ec_status_finish(struct ec_status *st, int fd, const struct ec_err *e)
{
	enum ec_code code = e ? e->code : EC_OK;
	const char *msg = code != EC_OK ? e->msg :
			  st->message ? st->message : "";
	int r;

	while (st->overflow || st->depth > 0)
		ec_status_end(st);
	if (st->out.oom || st->oom) {
		/* Whatever was built is unreliable: say so in a fresh record. */
		ec_buf_free(&st->out);
		if (st->fmt == EC_FMT_JSON)
			ec_buf_adds(&st->out, "{\"command\":\"edgecert\"");
		code = EC_INTERNAL;
		msg = "out of memory";
		st->nwarn = 0;
	}
	tail(st, code == EC_OK ? "ok" : "error", ec_code_name(code), msg);
	if (st->out.oom)
		return errno = ENOMEM, -1;
	if (st->stream_fd == -2)
		return errno = st->stream_errno ? st->stream_errno : EIO, -1;
	r = ec_write_all(fd, st->out.p, st->out.len);
	ec_buf_reset(&st->out);
	return r;
}
