#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "buf.h"
#include "fileio.h"

static int read_fd(int fd, const char *what, size_t max, struct ec_data *out,
		   struct ec_err *e)
{
	size_t cap = 8192, len = 0;
	unsigned char *p = malloc(cap + 1), *q;

	if (!p)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	for (;;) {
		ssize_t n;

		if (len == cap) {
			if (cap > max)
				break;
			cap *= 2;
			q = malloc(cap + 1);
			if (!q) {
				gnutls_memset(p, 0, len);
				free(p);
				return ec_fail(e, EC_INTERNAL, "out of memory");
			}
			memcpy(q, p, len);
			gnutls_memset(p, 0, len);
			free(p);
			p = q;
		}
		n = read(fd, p + len, cap - len);
		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			gnutls_memset(p, 0, len);
			free(p);
			return ec_fail_errno(e, err == EISDIR ? EC_BAD_INPUT :
					     EC_IO, err, "cannot read '%s'",
					     what);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		gnutls_memset(p, 0, len);
		free(p);
		return ec_fail(e, EC_BAD_INPUT,
			       "'%s' is too large (more than %zu bytes)", what,
			       max);
	}
	p[len] = '\0';
	out->data = p;
	out->size = len;
	return 0;
}

static int check_regular(int fd, const char *what, struct ec_err *e)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return ec_fail_errno(e, EC_IO, errno, "cannot stat '%s'", what);
	if (S_ISDIR(sb.st_mode))
		return ec_fail(e, EC_BAD_INPUT, "'%s' is a directory", what);
	if (!S_ISREG(sb.st_mode))
		return ec_fail(e, EC_BAD_INPUT, "'%s' is not a regular file",
			       what);
	return 0;
}

static int read_input(const char *path, size_t max, int pipe_ok,
		      struct ec_data *out, struct ec_err *e)
{
	struct stat sb;
	int fd, r;

	if (strcmp(path, "-") == 0)
		return read_fd(0, "standard input", max, out, e);
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int err = errno;

		return ec_fail_errno(e, err == ENOENT || err == ENOTDIR ||
				     err == EACCES ? EC_BAD_INPUT : EC_IO, err,
				     "cannot open '%s'", path);
	}
	if (pipe_ok && fstat(fd, &sb) == 0 && S_ISFIFO(sb.st_mode))
		r = 0;	/* <(command): a pipe with its writer */
	else
		r = check_regular(fd, path, e);
	if (r == 0) {
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		r = read_fd(fd, path, max, out, e);
	}
	close(fd);
	return r;
}

int ec_read_input(const char *path, size_t max, struct ec_data *out,
		  struct ec_err *e)
{
	return read_input(path, max, 0, out, e);
}

int ec_read_secret(const char *path, size_t max, struct ec_data *out,
		   struct ec_err *e)
{
	return read_input(path, max, 1, out, e);
}

/* read_at's flags: the file is a store's object (owned by this user,
 * without a mode bit of forbid); the file may be absent (1, not an
 * error). */
enum { READ_OWNED = 1, READ_OPT = 2 };

static int read_at(int dirfd, const char *name, size_t max, int flags,
		   mode_t forbid, struct ec_data *out, struct ec_err *e)
{
	int owned = flags & READ_OWNED;
	struct stat sb;
	int fd, r;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int err = errno;

		if ((flags & READ_OPT) && (err == ENOENT || err == ENOTDIR))
			return 1;
		if (err == ELOOP)
			return ec_fail(e, EC_STORE_CORRUPT,
				       "'%s' in the store is a symlink", name);
		return ec_fail_errno(e, EC_IO, err, "cannot open '%s'", name);
	}
	r = check_regular(fd, name, e);
	if (r < 0)
		e->code = EC_STORE_CORRUPT;
	else if (owned && fstat(fd, &sb) < 0)
		r = ec_fail_errno(e, EC_IO, errno, "cannot read '%s'", name);
	else if (owned && sb.st_uid != geteuid())
		r = ec_fail(e, EC_STORE_UNSAFE, "'%s' in the store is owned by "
			    "uid %ld, not by this user; refusing to use it",
			    name, (long)sb.st_uid);
	else if (owned && (sb.st_mode & forbid))
		r = ec_fail(e, EC_STORE_UNSAFE, "'%s' in the store has mode "
			    "%04o; refusing to use it", name,
			    (unsigned)(sb.st_mode & 07777));
	else
		r = read_fd(fd, name, max, out, e);
	close(fd);
	return r;
}

int ec_read_at(int dirfd, const char *name, size_t max, struct ec_data *out,
	       struct ec_err *e)
{
	return read_at(dirfd, name, max, 0, 0, out, e);
}

int ec_read_at_opt(int dirfd, const char *name, size_t max,
		   struct ec_data *out, struct ec_err *e)
{
	return read_at(dirfd, name, max, READ_OPT, 0, out, e);
}

int ec_read_owned_at_opt(int dirfd, const char *name, size_t max,
			 mode_t forbid, struct ec_data *out, struct ec_err *e)
{
	return read_at(dirfd, name, max, READ_OWNED | READ_OPT, forbid, out,
		       e);
}

void ec_data_free(struct ec_data *d)
{
	if (d->data) {
		gnutls_memset(d->data, 0, d->size);
		free(d->data);
	}
	d->data = NULL;
	d->size = 0;
}

static int create_at(int dirfd, const char *name, const void *data,
		     size_t len, mode_t mode, int exact, struct ec_err *e)
{
	int fd, err;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, mode);
	if (fd < 0)
		return ec_fail_errno(e, EC_IO, errno, "cannot create '%s'",
				     name);
	/* on the descriptor: a chmod by name would follow a symlink */
	if ((exact && fchmod(fd, mode) < 0) || ec_write_all(fd, data, len) < 0 ||
	    fsync(fd) < 0) {
		err = errno;
		close(fd);
		unlinkat(dirfd, name, 0);
		return ec_fail_errno(e, EC_IO, err, "cannot write '%s'", name);
	}
	if (close(fd) < 0) {
		err = errno;
		unlinkat(dirfd, name, 0);
		return ec_fail_errno(e, EC_IO, err, "cannot write '%s'", name);
	}
	return 0;
}

int ec_create_at(int dirfd, const char *name, const void *data, size_t len,
		 mode_t mode, struct ec_err *e)
{
	return create_at(dirfd, name, data, len, mode, 0, e);
}

int ec_create_at_mode(int dirfd, const char *name, const void *data,
		      size_t len, mode_t mode, struct ec_err *e)
{
	return create_at(dirfd, name, data, len, mode, 1, e);
}

int ec_fsync_fd_dir(int dirfd, struct ec_err *e)
{
	if (fsync(dirfd) < 0 && errno != EINVAL)
		return ec_fail_errno(e, EC_IO, errno,
				     "cannot sync a directory");
	return 0;
}

static const char *kind_of(mode_t m)
{
	return S_ISCHR(m) ? "a character device" : S_ISBLK(m) ?
	       "a block device" : S_ISFIFO(m) ? "a FIFO" : S_ISDIR(m) ?
	       "a directory" : S_ISLNK(m) ? "a symbolic link" : S_ISSOCK(m) ?
	       "a socket" : "not a regular file";
}

/* May an output file be written at path (base in dfd)?  Absent: yes; a
 * regular file: with overwrite only; anything else (a device, a FIFO, a
 * directory, a symbolic link, a socket) never.  No is "exists". */
static int out_replaceable_at(int dfd, const char *base, const char *path,
			      int overwrite, struct ec_err *e)
{
	struct stat sb;

	if (fstatat(dfd, base, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return ec_fail_errno(e, EC_IO, errno, "cannot check '%s'",
				     path);
	}
	if (!S_ISREG(sb.st_mode))
		return ec_fail(e, EC_EXISTS, "'%s' is %s", path,
			       kind_of(sb.st_mode));
	if (!overwrite)
		return ec_fail(e, EC_EXISTS, "'%s' exists", path);
	return 0;
}

int ec_out_replaceable(const char *path, int overwrite, struct ec_err *e)
{
	return out_replaceable_at(AT_FDCWD, path, path, overwrite, e);
}

int ec_write_if_changed(const char *path, const void *data, size_t len,
			mode_t mode, int overwrite, int dry, int *changed,
			struct ec_err *e)
{
	struct ec_data old = { 0 };
	struct ec_err ignored;
	int same;

	if (ec_read_input(path, EC_INPUT_MAX, &old, &ignored) == 0) {
		same = old.size == len &&
		       (len == 0 || memcmp(old.data, data, len) == 0);
		ec_data_free(&old);
		if (same)
			return 0;
	}
	*changed = 1;
	if (dry)
		return 0;
	return ec_write_atomic(path, data, len, mode, overwrite, e);
}

int ec_write_atomic(const char *path, const void *data, size_t len,
		    mode_t mode, int overwrite, struct ec_err *e)
{
	char *dir = strdup(path), *slash, tmp[64];
	const char *base;
	int dfd = -1, r = -1, err;
	struct timespec ts;

	if (!dir)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		base = slash + 1;
		dfd = open(slash == dir ? "/" : dir, O_RDONLY | O_DIRECTORY |
			   O_CLOEXEC);
	} else {
		base = dir;
		dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (dfd < 0) {
		ec_fail_errno(e, EC_IO, errno, "cannot open the directory of '%s'",
			      path);
		goto out;
	}
	if (*base == '\0') {
		ec_fail(e, EC_USAGE, "'%s' names a directory", path);
		goto out;
	}
	if (out_replaceable_at(dfd, base, path, overwrite, e) < 0)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(tmp, sizeof(tmp), ".edgecert-%ld-%ld.tmp", (long)getpid(),
		 (long)ts.tv_nsec);
	if (ec_create_at(dfd, tmp, data, len, mode, e) < 0) {
		/* name the file asked for, not the temporary one beside it */
		char why[sizeof(e->msg)];
		const char *colon = strstr(e->msg, "': ");

		snprintf(why, sizeof(why), "%s", colon ? colon + 3 : e->msg);
		ec_fail(e, e->code, "cannot write '%s': %s", path, why);
		goto out;
	}
	if (overwrite) {
		if (renameat(dfd, tmp, dfd, base) < 0) {
			err = errno;
			unlinkat(dfd, tmp, 0);
			ec_fail_errno(e, EC_IO, err, "cannot write '%s'", path);
			goto out;
		}
	} else {
		/* link refuses an existing name, closing the race with the
		 * check above */
		if (linkat(dfd, tmp, dfd, base, 0) < 0) {
			err = errno;
			unlinkat(dfd, tmp, 0);
			if (err == EEXIST)
				ec_fail(e, EC_EXISTS, "'%s' exists", path);
			else
				ec_fail_errno(e, EC_IO, err,
					      "cannot write '%s'", path);
			goto out;
		}
		if (unlinkat(dfd, tmp, 0) < 0) {
			err = errno;
			unlinkat(dfd, base, 0);
			ec_fail_errno(e, EC_IO, err, "cannot write '%s'", path);
			goto out;
		}
	}
	if (ec_fsync_fd_dir(dfd, e) < 0) {
		if (!overwrite)
			unlinkat(dfd, base, 0);
		goto out;
	}
	r = 0;
out:
	if (dfd >= 0)
		close(dfd);
	free(dir);
	return r;
}
