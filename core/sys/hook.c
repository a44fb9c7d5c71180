#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hook.h"

/* Keep the last EC_HOOK_TAIL bytes of everything appended. */
struct tail {
	char buf[2 * EC_HOOK_TAIL];
	size_t len;
};

static void tail_add(struct tail *t, const char *p, size_t n)
{
	if (n >= EC_HOOK_TAIL) {
		memcpy(t->buf, p + n - EC_HOOK_TAIL, EC_HOOK_TAIL);
		t->len = EC_HOOK_TAIL;
		return;
	}
	if (t->len + n > sizeof(t->buf)) {
		size_t keep = EC_HOOK_TAIL;	/* len > EC_HOOK_TAIL here */

		memmove(t->buf, t->buf + t->len - keep, keep);
		t->len = keep;
	}
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

/* The tail as a string: its last EC_HOOK_TAIL bytes, from a line's start
 * when the cut falls inside a line, without the final line break. */
static void tail_done(const struct tail *t, char *out)
{
	const char *p = t->buf, *nl;
	size_t n = t->len;

	if (n > EC_HOOK_TAIL) {
		p += n - EC_HOOK_TAIL;
		n = EC_HOOK_TAIL;
		if ((nl = memchr(p, '\n', n)) && nl + 1 < p + n) {
			n -= (size_t)(nl + 1 - p);
			p = nl + 1;
		}
	}
	while (n && p[n - 1] == '\n')
		n--;
	memcpy(out, p, n);
	out[n] = '\0';
	/* a NUL in the output would cut the string: show it as a space */
	for (size_t i = 0; i < n; i++)
		if (out[i] == '\0')
			out[i] = ' ';
}

static void child(const char *cmd, char *const *env, int out)
{
	int null = open("/dev/null", O_RDONLY);

	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(out, 2) < 0)
		_exit(127);
	if (null > 2)
		close(null);	/* not a descriptor more for the hook */
	for (size_t i = 0; env && env[i]; i++)
		putenv(env[i]);
	signal(SIGPIPE, SIG_DFL);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* Read what is there now; 1 at end of file. */
static int drain(int fd, struct tail *t)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0)
			tail_add(t, buf, (size_t)n);
		else if (n == 0)
			return 1;
		else if (errno != EINTR)
			return 0;	/* EAGAIN: nothing more for now */
	}
}

int ec_hook_run(const char *cmd, char *const *env, struct ec_hook_result *r,
		struct ec_err *e)
{
	struct tail *t = calloc(1, sizeof(*t));
	int p[2], st = 0, eof = 0, done = 0;
	pid_t pid, w;

	memset(r, 0, sizeof(*r));
	if (!t)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(t);
		return ec_fail_errno(e, EC_IO, errno, "cannot run the deploy "
				     "hook");
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		free(t);
		return ec_fail_errno(e, EC_IO, errno, "cannot run the deploy "
				     "hook");
	}
	if (pid == 0)
		child(cmd, env, p[1]);
	close(p[1]);
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	/* Until the hook exits, and its output ends or stops coming: a
	 * daemon it started in the background may hold the pipe open. */
	while (!done) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };

		if (!eof && poll(&pf, 1, 100) > 0)
			eof = drain(p[0], t);
		else if (eof)
			poll(NULL, 0, 10);
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR)) {
			if (!eof)
				drain(p[0], t);
			done = 1;
		}
	}
	close(p[0]);
	if (WIFSIGNALED(st)) {
		r->exit_status = -1;
		r->signal = WTERMSIG(st);
	} else {
		r->exit_status = WEXITSTATUS(st);
	}
	tail_done(t, r->tail);
	free(t);
	return 0;
}

int ec_hook_ok(const struct ec_hook_result *r)
{
	return r->signal == 0 && r->exit_status == 0;
}
