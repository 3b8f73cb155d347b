/* fcgi_main.c - ispbill-fcgi: a master that binds the socket, forks workers,
 * replaces any that die, reloads on SIGHUP and drains on SIGTERM. */
#include "config.h"

#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <mysql.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netdb.h>
#include <time.h>
#include <unistd.h>

#include "core/health.h"
#include "core/secrets.h"
#include "db/db.h"
#include "http/dispatch.h"
#include "util/conf.h"
#include "util/log.h"
#include "util/timeutil.h"

#define MAX_CHILDREN 512

struct child {
	pid_t pid;
	int generation;
	double started;         /* monotonic ms */
};

static struct config cfg;
static const char *cfg_path;
static char *listen_override;
static int workers_override = -1;
static int listen_fd = -1;
static char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static struct worker_slot *slots;       /* shared with the workers */
static struct child children[MAX_CHILDREN];
static int generation;

/* ---- worker ---- */

static volatile sig_atomic_t worker_stop;

static void
worker_on_term(int sig)
{
	(void)sig;
	worker_stop = 1;
	FCGX_ShutdownPending();
}

static int
drop_privileges(const char *user)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		log_error("user '%s' does not exist; set user = in the configuration", user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		log_error("refusing to run workers as root (user = %s)", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		log_error("cannot become %s: %s", user, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		log_error("privileges could be regained after dropping them");
		return -1;
	}
	return 0;
}

static void
worker_main(int slot)
{
	struct sigaction sa;
	sigset_t none;
	FCGX_Request fr;
	struct request req;
	struct db db;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_term;         /* no SA_RESTART: accept returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		_exit(0);

	if (drop_privileges(cfg.user) < 0)
		_exit(78);
	slots[slot].pid = (int)getpid();
	slots[slot].busy = 0;

	db_init(&db, &cfg, 0);
	req_init(&req);
	FCGX_Init();
	FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
	while (!worker_stop) {
		if (FCGX_Accept_r(&fr) < 0) {
			if (worker_stop || errno == EINTR)
				continue;
			log_error("accept failed: %s", strerror(errno));
			break;
		}
		req.cfg = &cfg;
		req.db = &db;
		dispatch_fcgi(&req, &fr, &slots[slot]);
		FCGX_Finish_r(&fr);
		req_reset(&req);
	}
	FCGX_Free(&fr, 1);
	req_free(&req);
	db_close(&db);
	mysql_library_end();
	config_free(&cfg);
	exit(0);
}

/* ---- master ---- */

static int
open_listener(const char *spec)
{
	int fd;

	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un sa;
		const char *path = spec + 5;
		struct stat st;
		mode_t old;

		if (strlen(path) >= sizeof(sa.sun_path)) {
			log_error("socket path too long: %s", path);
			return -1;
		}
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		memcpy(sa.sun_path, path, strlen(path) + 1);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
			return -1;
		if (lstat(path, &st) == 0) {
			if (!S_ISSOCK(st.st_mode)) {
				log_error("%s exists and is not a socket", path);
				close(fd);
				return -1;
			}
			if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
				log_error("%s is in use by a running server", path);
				close(fd);
				return -1;
			}
			close(fd);
			unlink(path);
			if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
				return -1;
		}
		old = umask(0177);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			umask(old);
			log_error("bind %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		umask(old);
		snprintf(unix_path, sizeof(unix_path), "%s", path);
		if (geteuid() == 0) {
			struct passwd *pw = getpwnam(cfg.user);
			struct group *gr = getgrnam(cfg.socket_group);
			uid_t uid = pw ? pw->pw_uid : (uid_t)-1;
			gid_t gid = gr ? gr->gr_gid : pw ? pw->pw_gid : (gid_t)-1;

			if (chown(path, uid, gid) < 0)
				log_warn("chown %s: %s", path, strerror(errno));
		}
		if (chmod(path, (mode_t)cfg.socket_mode) < 0)
			log_warn("chmod %s: %s", path, strerror(errno));
	} else {
		struct addrinfo hints, *res = NULL;
		char host[256];
		const char *colon = strrchr(spec, ':');
		int one = 1, rc;

		if (colon == NULL || (size_t)(colon - spec) >= sizeof(host)) {
			log_error("listen: expected host:port, not %s", spec);
			return -1;
		}
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE;
		if ((rc = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res)) != 0) {
			log_error("listen %s: %s", spec, gai_strerror(rc));
			return -1;
		}
		fd = socket(res->ai_family, SOCK_STREAM, 0);
		if (fd < 0) {
			freeaddrinfo(res);
			return -1;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, res->ai_addr, res->ai_addrlen) < 0) {
			log_error("bind %s: %s", spec, strerror(errno));
			freeaddrinfo(res);
			close(fd);
			return -1;
		}
		freeaddrinfo(res);
	}
	if (listen(fd, 1024) < 0) {
		log_error("listen %s: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* fd 0 (spawn-fcgi) or fd 3 (systemd socket activation) when it is a
 * listening socket we were handed; -1 otherwise. */
static int
inherited_listener(void)
{
	const char *lp = getenv("LISTEN_PID"), *lf = getenv("LISTEN_FDS");
	int acc = 0;
	socklen_t len = sizeof(acc);

	if (lp && lf && atol(lp) == (long)getpid() && atoi(lf) >= 1)
		return 3;
	if (getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == 0 && acc)
		return 0;
	return -1;
}

static int
nworkers(void)
{
	int n = workers_override >= 0 ? workers_override : cfg.workers;

	/* two per CPU: a worker waiting on MariaDB leaves its CPU to another */
	if (n <= 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		n = c > 0 ? 2 * (int)c : 2;
	}
	return n > MAX_CHILDREN / 2 ? MAX_CHILDREN / 2 : n;
}

static int
free_slot(void)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i].pid == 0)
			return i;
	return -1;
}

static void
spawn(void)
{
	int i = free_slot();
	pid_t pid;

	if (i < 0) {
		log_error("no free worker slot");
		return;
	}
	memset(&slots[i], 0, sizeof(slots[i]));
	if ((pid = fork()) < 0) {
		log_error("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0)
		worker_main(i);
	children[i].pid = pid;
	children[i].generation = generation;
	children[i].started = time_mono_ms();
}

static int
count_current(void)
{
	int n = 0;

	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i].pid && children[i].generation == generation)
			n++;
	return n;
}

static int
count_all(void)
{
	int n = 0;

	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i].pid)
			n++;
	return n;
}

static void
signal_all(int sig, int only_old)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i].pid && (!only_old || children[i].generation != generation))
			kill(children[i].pid, sig);
}

/* Reap every exited child, saying how it died and what it was doing.
 * Returns how many of the current generation died quickly (crash loop). */
static int
reap(int stopping)
{
	int status, quick = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < MAX_CHILDREN; i++) {
			char what[200] = "";

			if (children[i].pid != pid)
				continue;
			if (slots[i].busy)
				snprintf(what, sizeof(what), " while serving %s %s (rid=%s)",
				    slots[i].method, slots[i].path, slots[i].request_id);
			if (WIFSIGNALED(status))
				log_error("worker %ld killed by signal %d (%s)%s", (long)pid,
				    WTERMSIG(status), strsignal(WTERMSIG(status)), what);
			else if (WEXITSTATUS(status) != 0)
				log_error("worker %ld exited with status %d%s", (long)pid,
				    WEXITSTATUS(status), what);
			else if (!stopping && children[i].generation == generation)
				log_warn("worker %ld exited unexpectedly", (long)pid);
			if (children[i].generation == generation &&
			    time_mono_ms() - children[i].started < 1000.0 && !WIFSIGNALED(status))
				quick++;
			children[i].pid = 0;
			break;
		}
	}
	return quick;
}

static void
write_pid_file(const char *path)
{
	FILE *fp;

	if (path == NULL || *path == '\0')
		return;
	if ((fp = fopen(path, "w")) == NULL) {
		log_warn("pid file %s: %s", path, strerror(errno));
		return;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	fclose(fp);
}

static void
ensure_jwt_secret(struct config *c)
{
	unsigned char rnd[32];
	char hex[65];

	if (c->jwt_secret[0])
		return;
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	free(c->jwt_secret);
	c->jwt_secret = xstrdup(hex);
	log_warn("jwt_secret is not set: using a random one, so tokens end with this process");
}

static void
apply_logging(const struct config *c)
{
	enum log_level lvl = LOG_LVL_INFO;

	log_init("ispbill-fcgi", c->log_syslog);
	if (log_level_parse(c->log_level, &lvl) == 0)
		log_set_level(lvl);
}

static int
master(void)
{
	sigset_t set;
	int backoff_ms = 0, draining = 0;
	double drain_deadline = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	slots = mmap(NULL, sizeof(*slots) * MAX_CHILDREN, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED) {
		log_error("mmap: %s", strerror(errno));
		return 1;
	}
	log_info("ispbill-fcgi %s master started with %d workers", PACKAGE_VERSION, nworkers());
	for (;;) {
		siginfo_t si;
		struct timespec ts;
		int sig;

		while (!draining && backoff_ms == 0 && count_current() < nworkers())
			spawn();
		if (draining && count_all() == 0)
			break;
		ts.tv_sec = 0;
		ts.tv_nsec = 200 * 1000000L;
		sig = sigtimedwait(&set, &si, &ts);
		if (draining && time_mono_ms() > drain_deadline) {
			log_warn("drain timeout: killing %d worker(s)", count_all());
			signal_all(SIGKILL, 0);
			drain_deadline = time_mono_ms() + 60000.0;
		}
		if (backoff_ms > 0)
			backoff_ms = backoff_ms > 200 ? backoff_ms - 200 : 0;
		if (sig < 0)
			continue;
		switch (sig) {
		case SIGCHLD:
			if (reap(draining) >= 2 && !draining) {
				log_error("workers exit right after starting; retrying in 1 s");
				backoff_ms = 1000;
			}
			break;
		case SIGHUP: {
			struct config nc;
			char err[512];

			if (draining)
				break;
			if (config_load(&nc, cfg_path, err, sizeof(err)) < 0) {
				log_error("reload refused, keeping the running configuration: %s", err);
				break;
			}
			ensure_jwt_secret(&nc);
			if (strcmp(nc.jwt_secret, cfg.jwt_secret) != 0 && nc.jwt_secret[0] &&
			    cfg.jwt_secret[0])
				log_info("reload: jwt_secret changed; earlier tokens are now invalid");
			config_free(&cfg);
			cfg = nc;
			apply_logging(&cfg);
			secrets_init(cfg.secret_key);
			generation++;
			signal_all(SIGTERM, 1);         /* old workers finish what they serve */
			log_info("configuration reloaded (generation %d)", generation);
			break;
		}
		case SIGTERM:
		case SIGINT:
		case SIGQUIT:
			if (!draining) {
				log_info("signal %d: draining %d worker(s)", sig, count_all());
				draining = 1;
				drain_deadline = time_mono_ms() + cfg.drain_seconds * 1000.0;
				signal_all(SIGTERM, 0);
			}
			break;
		default:
			break;
		}
	}
	if (unix_path[0])
		unlink(unix_path);
	if (cfg.pid_file[0])
		unlink(cfg.pid_file);
	log_info("stopped");
	return 0;
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: ispbill-fcgi [--config FILE] [--listen unix:PATH|HOST:PORT] [--workers N]\n"
	    "                    [--pid-file FILE] [--check-config] [--version]\n"
	    "With no --listen, a listening socket on fd 0 (spawn-fcgi) or from systemd\n"
	    "(LISTEN_FDS) is used when there is one, else the configuration's listen.\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[512], *pid_file = NULL, *end;
	int c, check = 0, inherited;

	while ((c = getopt_long(argc, argv, "c:l:w:p:CVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cfg_path = optarg; break;
		case 'l': listen_override = optarg; break;
		case 'p': pid_file = optarg; break;
		case 'C': check = 1; break;
		case 'V': printf("ispbill-fcgi %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		case 'w':
			errno = 0;
			workers_override = (int)strtol(optarg, &end, 10);
			if (errno || *end || workers_override < 1 || workers_override > 256) {
				fprintf(stderr, "ispbill-fcgi: --workers takes 1 to 256\n");
				return 2;
			}
			break;
		default: usage(stderr); return 2;
		}
	}
	if (cfg_path == NULL)
		cfg_path = getenv("ISPBILL_CONFIG");
	if (config_load(&cfg, cfg_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "ispbill-fcgi: configuration error: %s\n", err);
		return 1;
	}
	if (listen_override) {
		free(cfg.listen);
		cfg.listen = xstrdup(listen_override);
	}
	if (pid_file) {
		free(cfg.pid_file);
		cfg.pid_file = xstrdup(pid_file);
	}
	if (check) {
		if (geteuid() == 0 && getpwnam(cfg.user) == NULL) {
			fprintf(stderr, "ispbill-fcgi: configuration error: user '%s' does not exist\n",
			    cfg.user);
			return 1;
		}
		if (access(cfg.sql_dir, R_OK | X_OK) != 0) {
			fprintf(stderr, "ispbill-fcgi: configuration error: sql_dir %s: %s\n",
			    cfg.sql_dir, strerror(errno));
			return 1;
		}
		config_dump(&cfg, stdout);
		printf("# configuration ok\n");
		return 0;
	}
	apply_logging(&cfg);
	if (sodium_init() < 0) {
		log_error("libsodium failed to initialise");
		return 1;
	}
	mysql_library_init(0, NULL, NULL);
	ensure_jwt_secret(&cfg);
	secrets_init(cfg.secret_key);
	if (!secrets_ready())
		log_warn("secret_key is not set: router, SMS and M-Pesa secrets cannot be stored");
	health_set_started(time(NULL));

	inherited = listen_override ? -1 : inherited_listener();
	if (inherited >= 0) {
		listen_fd = inherited;
		log_info("using the listening socket on fd %d", inherited);
	} else if ((listen_fd = open_listener(cfg.listen)) < 0)
		return 1;
	else
		log_info("listening on %s", cfg.listen);
	write_pid_file(cfg.pid_file);
	return master();
}
