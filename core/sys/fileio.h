/* fileio.h: file system helpers: bounded reads that refuse what is not a
 * regular file, and durable, atomic writes. */
#ifndef EC_FILEIO_H
#define EC_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* The largest input file edgecert reads. */
#define EC_INPUT_MAX (32u << 20)
/* The largest CRL (its DER) edgecert takes, at import and at use: parsing
 * one costs about 31 times its size in memory, 250 MB at the limit (see
 * edgecert(1), LIMITS; scripts/bench --hostile measures it).
 * Its PEM form in the store: 64 base64 characters and a line break per
 * 48 bytes, and the BEGIN and END lines. */
#define EC_CRL_MAX (8u << 20)
#define EC_CRL_PEM_MAX ((EC_CRL_MAX / 48 + 1) * 65 + 64)

struct ec_data {
	unsigned char *data;
	size_t size;
};

/* Read a file named by the user ("-" is standard input).  Anything but a
 * regular file (a directory, a FIFO, a device) and anything larger than
 * max is bad-input.  The buffer is NUL-terminated past size. */
int ec_read_input(const char *path, size_t max, struct ec_data *out,
		  struct ec_err *e);
/* ec_read_input for a secret: a pipe is read too (--password-file
 * <(command)); a directory or a device is still bad-input. */
int ec_read_secret(const char *path, size_t max, struct ec_data *out,
		   struct ec_err *e);
/* Read name in dirfd without following a symlink. */
int ec_read_at(int dirfd, const char *name, size_t max, struct ec_data *out,
	       struct ec_err *e);
/* ec_read_at of a file that may be absent: 0 read, 1 absent (out left
 * empty, e untouched), -1 with e. */
int ec_read_at_opt(int dirfd, const char *name, size_t max,
		   struct ec_data *out, struct ec_err *e);
/* ec_read_at_opt for a store's object: one owned by another user, or
 * with a mode bit of forbid, is store-unsafe. */
int ec_read_owned_at_opt(int dirfd, const char *name, size_t max,
			 mode_t forbid, struct ec_data *out, struct ec_err *e);
/* Free, wiping the bytes first. */
void ec_data_free(struct ec_data *d);

/* Create name in dirfd with O_EXCL and mode (umask aside), write, fsync. */
int ec_create_at(int dirfd, const char *name, const void *data, size_t len,
		 mode_t mode, struct ec_err *e);
/* ec_create_at, the mode exactly (fchmod on the descriptor). */
int ec_create_at_mode(int dirfd, const char *name, const void *data,
		      size_t len, mode_t mode, struct ec_err *e);
int ec_fsync_fd_dir(int dirfd, struct ec_err *e);

/* May an output file be written at path?  Absent: yes; a regular file:
 * with overwrite only; anything else (a device, a FIFO, a directory, a
 * symbolic link, a socket) never.  No is "exists". */
int ec_out_replaceable(const char *path, int overwrite, struct ec_err *e);

/* Write path atomically: a temp file beside it, fsync, rename (or link,
 * refusing an existing file, when overwrite is 0), fsync the directory.
 * An existing file without overwrite, or anything but a regular file
 * even with it (ec_out_replaceable), is "exists". */
int ec_write_atomic(const char *path, const void *data, size_t len,
		    mode_t mode, int overwrite, struct ec_err *e);

/* ec_write_atomic unless path holds these bytes already; *changed is set
 * when it does not (dry: nothing is written). */
int ec_write_if_changed(const char *path, const void *data, size_t len,
			mode_t mode, int overwrite, int dry, int *changed,
			struct ec_err *e);

#endif
