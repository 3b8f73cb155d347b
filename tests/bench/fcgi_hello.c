/* fcgi_hello.c - the smallest honest libfcgi responder, the yardstick of
 * scripts/bench: accepts on fd 0 (the socket spawn-fcgi hands it) and answers
 * every request with 200 and a JSON body the size of ispbill's
 * /api/health/live/ answer.  "fcgi_hello N" forks N workers and waits, so the
 * one pid spawn-fcgi records (-P) stops them all: SIGTERM to it ends each. */
#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORKERS 256

static const char body[] =
    "{\"success\":true,\"message\":\"Service is alive\",\"data\":{\"status\":\"alive\"},"
    "\"timestamp\":\"2026-01-01T00:00:00Z\"}";

/* Answer requests on fd 0 until accept fails. */
static int
serve(void)
{
	FCGX_Request fr;
	char head[160];
	int n;

	n = snprintf(head, sizeof(head), "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n", sizeof(body) - 1);
	if (n < 0 || (size_t)n >= sizeof(head))
		return 1;
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&fr) >= 0) {
		FCGX_PutStr(head, n, fr.out);
		FCGX_PutStr(body, (int)sizeof(body) - 1, fr.out);
		FCGX_Finish_r(&fr);
	}
	return 0;
}

/* Fork nw workers, then wait: SIGTERM or SIGINT stops them all, and the
 * parent leaves when the last one has gone. */
static int
prefork(int nw)
{
	pid_t pids[MAX_WORKERS];
	sigset_t set;
	int live = 0, sig;

	signal(SIGCHLD, SIG_DFL);        /* an inherited SIG_IGN would reap for us */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int i = 0; i < nw; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fcgi_hello: fork");
			break;
		}
		if (pid == 0) {
			sigprocmask(SIG_UNBLOCK, &set, NULL);
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() == 1)
				_exit(0);
			_exit(serve());
		}
		pids[live++] = pid;
	}
	while (live > 0) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT)
			for (int i = 0; i < live; i++)
				kill(pids[i], SIGTERM);
		for (;;) {
			pid_t pid = waitpid(-1, NULL, WNOHANG);

			if (pid <= 0)
				break;
			for (int i = 0; i < live; i++)
				if (pids[i] == pid) {
					pids[i] = pids[--live];
					break;
				}
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	long nw = 0;
	char *end;

	if (argc > 1) {
		errno = 0;
		nw = strtol(argv[1], &end, 10);
		if (errno || *end || nw < 1 || nw > MAX_WORKERS) {
			fprintf(stderr, "usage: fcgi_hello [WORKERS (1 to %d)]\n", MAX_WORKERS);
			return 2;
		}
	}
	return nw > 0 ? prefork((int)nw) : serve();
}
