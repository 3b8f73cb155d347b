/* monitor_main.c - ispbill-monitor: the live router streams (004's
 * WebSocket endpoints and native's equivalents) on one libwebsockets event
 * loop, behind nginx.  Options, configuration, pid file; src/monitor/ does
 * the rest. */
#include "config.h"
#include "monitor/monitor.h"
#include "core/secrets.h"
#include "db/db.h"
#include "util/arena.h"
#include "util/conf.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <mysql.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: ispbill-monitor [--config FILE] [--pid-file FILE] [--foreground]\n"
	    "                       [--check-config] [--version]\n"
	    "Serves the WebSocket streams on 127.0.0.1:monitor_port (default 8090).\n"
	    "Without --foreground it detaches (stdout and stderr stay where they are).\n");
}

static int
write_pid(const char *path)
{
	FILE *fp;

	if (path == NULL || *path == '\0')
		return 0;
	if ((fp = fopen(path, "w")) == NULL) {
		log_error("pid file %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	fclose(fp);
	return 0;
}

static int
detach(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	setsid();
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cfg_path = NULL, *pid_file = NULL;
	struct config cfg;
	struct db db;
	enum log_level lvl = LOG_LVL_INFO;
	char err[512];
	int c, fg = 0, check = 0, rc;

	while ((c = getopt_long(argc, argv, "c:p:fCVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cfg_path = optarg; break;
		case 'p': pid_file = optarg; break;
		case 'f': fg = 1; break;
		case 'C': check = 1; break;
		case 'V': printf("ispbill-monitor %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (cfg_path == NULL)
		cfg_path = getenv("ISPBILL_CONFIG");
	if (config_load(&cfg, cfg_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "ispbill-monitor: configuration error: %s\n", err);
		return 1;
	}
	if (check) {
		config_dump(&cfg, stdout);
		printf("# configuration ok\n");
		config_free(&cfg);
		return 0;
	}
	log_init("ispbill-monitor", cfg.log_syslog);
	if (log_level_parse(cfg.log_level, &lvl) == 0)
		log_set_level(lvl);
	if (sodium_init() < 0) {
		log_error("libsodium failed to initialise");
		return 1;
	}
	if (!cfg.jwt_secret[0])
		log_warn("jwt_secret is not set: Bearer tokens cannot be checked (X-Client-Key "
		    "and tickets still work)");
	secrets_init(cfg.secret_key);
	if (!secrets_ready())
		log_warn("secret_key is not set: routers with a stored password cannot be reached");
	if (!fg && detach() < 0) {
		log_error("cannot detach: %s", strerror(errno));
		return 1;
	}
	if (write_pid(pid_file) < 0)
		return 1;
	mysql_library_init(0, NULL, NULL);
	mon_db_timeouts(&cfg);
	db_init(&db, &cfg, 0);
	rc = mon_run(&cfg, cfg_path, &db);
	db_close(&db);
	mysql_library_end();
	if (pid_file)
		unlink(pid_file);
	config_free(&cfg);
	return rc;
}
