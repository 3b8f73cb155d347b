/* conn_int.h - the connection's insides, shared by conn.c (transport:
 * sockets, TLS, waiting) and session.c (tags, commands, login).  Not
 * part of the public face. */
#ifndef ISP_ROS_CONN_INT_H
#define ISP_ROS_CONN_INT_H

#include <openssl/ssl.h>

#include "lib/routeros/routeros.h"

struct ros_flight {             /* a tagged command awaiting its !done */
	unsigned long tag;
	int cancelled;
};

struct ros_kept {               /* a reply kept for another tag */
	struct ros_kept *next;
	struct ros_word *words;
	struct ros_attr *attrs;
	size_t nwords;
};

struct ros_conn {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	int ssl_want_write;         /* the last TLS read wanted to write */
	int read_timeout_ms, call_timeout_ms;
	size_t max_reply;
	struct ros_decoder dec;
	struct buf out;             /* encoded sentences not yet written */
	size_t out_off;
	unsigned long next_tag;
	struct ros_flight *fl;
	size_t nfl, capfl;
	struct ros_kept *kept, *kept_tail;
	struct ros_kept *cur_kept;  /* the kept reply last handed out */
	enum ros_code dead;         /* ROS_OK while usable */
	char dead_msg[128];
};

/* Monotonic milliseconds. */
long long ros_now_ms(void);
/* Mark the connection unusable with code and message; returns code. */
int ros_conn_die(struct ros_conn *c, struct ros_error *err, enum ros_code code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Wait until the socket is ready for events or the deadline (monotonic ms)
 * passes: ROS_OK, ROS_ETIMEOUT or ROS_EIO. */
int ros_wait(struct ros_conn *c, short events, long long deadline, struct ros_error *err);
/* Write all queued output, blocking until the deadline. */
int ros_flush(struct ros_conn *c, long long deadline, struct ros_error *err);
/* Read at least one byte (or TLS record) into the decoder, blocking until
 * the deadline. */
int ros_fill(struct ros_conn *c, long long deadline, struct ros_error *err);
struct ros_conn *ros_conn_new(int fd, const struct ros_opts *o);

#endif
