/* conn.c - the transport under a RouterOS session: non-blocking TCP
 * connect with a timeout, api-ssl (verified, anonymous DH or unverified),
 * reads and writes that wait with poll against a deadline. */
#include "config.h"
#include "lib/routeros/conn_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#define DEFAULT_CONNECT_MS 5000
#define DEFAULT_READ_MS    10000
#define DEFAULT_CALL_MS    30000
#define READ_CHUNK         16384

/* RouterOS without a certificate offers only anonymous Diffie-Hellman. */
#define ADH_CIPHERS "ADH-AES256-GCM-SHA384:ADH-AES128-GCM-SHA256:ADH-AES256-SHA256:" \
	"ADH-AES128-SHA256:ADH-AES256-SHA:ADH-AES128-SHA"

enum io { IO_DATA, IO_AGAIN, IO_CLOSED, IO_ERR };

long long
ros_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
ros_conn_die(struct ros_conn *c, struct ros_error *err, enum ros_code code, const char *fmt, ...)
{
	va_list ap;

	if (c->dead == ROS_OK) {
		c->dead = code;
		va_start(ap, fmt);
		vsnprintf(c->dead_msg, sizeof(c->dead_msg), fmt, ap);
		va_end(ap);
	}
	return ros_fail(err, code, "%s", c->dead_msg);
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int
ms_left(long long deadline)
{
	long long left = deadline - ros_now_ms();

	if (left < 0)
		return 0;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

int
ros_wait(struct ros_conn *c, short events, long long deadline, struct ros_error *err)
{
	struct pollfd pfd = { .fd = c->fd, .events = events };

	for (;;) {
		int left = ms_left(deadline);
		int r;

		if (left == 0)
			return ros_fail(err, ROS_ETIMEOUT, "no answer in time");
		r = poll(&pfd, 1, left);
		if (r > 0)
			return ROS_OK;  /* POLLERR/POLLHUP: the read or write tells */
		if (r < 0 && errno != EINTR)
			return ros_fail(err, ROS_EIO, "poll: %s", strerror(errno));
	}
}

/* ---- TCP ---- */

static int
connect_one(const struct addrinfo *ai, long long deadline, char *why, size_t whyn)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    ai->ai_protocol);
	struct pollfd pfd;
	int soerr = 0, one = 1, r;
	socklen_t sl = sizeof(soerr);

	if (fd < 0) {
		snprintf(why, whyn, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		goto ok;
	if (errno != EINPROGRESS) {
		snprintf(why, whyn, "%s", strerror(errno));
		goto fail;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do
		r = poll(&pfd, 1, ms_left(deadline));
	while (r < 0 && errno == EINTR);
	if (r == 0) {
		snprintf(why, whyn, "timed out");
		goto fail;
	}
	if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
		snprintf(why, whyn, "%s", strerror(soerr ? soerr : errno));
		goto fail;
	}
ok:
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	return fd;
fail:
	close(fd);
	return -1;
}

static int
tcp_connect(const char *host, unsigned short port, long long deadline, struct ros_error *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[8], why[128] = "no address";
	int fd = -1, r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%u", port);
	r = getaddrinfo(host, portstr, &hints, &res);
	if (r != 0) {
		ros_fail(err, ROS_ECONNECT, "%s: %s", host, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		if (ms_left(deadline) == 0) {
			snprintf(why, sizeof(why), "timed out");
			break;
		}
		fd = connect_one(ai, deadline, why, sizeof(why));
	}
	freeaddrinfo(res);
	if (fd < 0)
		ros_fail(err, strcmp(why, "timed out") == 0 ? ROS_ETIMEOUT : ROS_ECONNECT,
		    "connect to %s port %u: %s", host, port, why);
	return fd;
}

/* ---- a socket BIO that never raises SIGPIPE ---- */

static int
bio_sock_write(BIO *b, const char *p, int n)
{
	int fd = (int)(intptr_t)BIO_get_data(b);
	ssize_t w;

	BIO_clear_retry_flags(b);
	do
		w = send(fd, p, (size_t)n, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		BIO_set_retry_write(b);
	return (int)w;
}

static int
bio_sock_read(BIO *b, char *p, int n)
{
	int fd = (int)(intptr_t)BIO_get_data(b);
	ssize_t r;

	BIO_clear_retry_flags(b);
	do
		r = recv(fd, p, (size_t)n, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		BIO_set_retry_read(b);
	return (int)r;
}

static long
bio_sock_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b; (void)num; (void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int
bio_sock_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

/* One method for every connection: each BIO_get_new_index() uses up one
 * of a small number of type ids, so it is taken once per process. */
static BIO_METHOD *bio_sock_method;
static pthread_once_t bio_sock_once = PTHREAD_ONCE_INIT;

static void
bio_sock_method_init(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ros socket");

	if (m == NULL)
		return;
	BIO_meth_set_write(m, bio_sock_write);
	BIO_meth_set_read(m, bio_sock_read);
	BIO_meth_set_ctrl(m, bio_sock_ctrl);
	BIO_meth_set_create(m, bio_sock_create);
	bio_sock_method = m;
}

static BIO *
bio_sock_new(int fd)
{
	BIO *b;

	pthread_once(&bio_sock_once, bio_sock_method_init);
	if (bio_sock_method == NULL)
		return NULL;
	b = BIO_new(bio_sock_method);
	if (b)
		BIO_set_data(b, (void *)(intptr_t)fd);
	return b;
}

/* ---- TLS ---- */

/* What the verification said, or the first queued OpenSSL error, or (for
 * SSL_ERROR_SYSCALL) the socket's error; the queue is emptied. */
static int
tls_fail(struct ros_conn *c, struct ros_error *err, const char *what, int sslerr)
{
	int sys = errno;
	unsigned long e = ERR_get_error();
	char msg[160] = "";
	long vr = c->ssl ? SSL_get_verify_result(c->ssl) : X509_V_OK;

	if (vr != X509_V_OK)
		snprintf(msg, sizeof(msg), "certificate: %s", X509_verify_cert_error_string(vr));
	else if (e)
		ERR_error_string_n(e, msg, sizeof(msg));
	else if (sslerr == SSL_ERROR_SYSCALL && sys)
		snprintf(msg, sizeof(msg), "%s", strerror(sys));
	else if (sslerr == SSL_ERROR_SYSCALL)
		snprintf(msg, sizeof(msg), "the router closed the connection");
	else
		snprintf(msg, sizeof(msg), "failed");
	ERR_clear_error();
	return ros_fail(err, ROS_ETLS, "%s: %s", what, msg);
}

static int
is_ip_literal(const char *host)
{
	unsigned char a[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

static int
tls_ctx(struct ros_conn *c, const struct ros_opts *o, struct ros_error *err)
{
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->ctx == NULL)
		return ros_fail(err, ROS_ENOMEM, "SSL_CTX_new failed");
	SSL_CTX_set_mode(c->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	switch (o->tls) {
	case ROS_TLS_VERIFY:
		SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
		if (o->ca_file || o->ca_path) {
			if (SSL_CTX_load_verify_locations(c->ctx, o->ca_file, o->ca_path) != 1)
				return tls_fail(c, err, "loading the CA certificates", 0);
		} else if (SSL_CTX_set_default_verify_paths(c->ctx) != 1) {
			return tls_fail(c, err, "loading the system CA store", 0);
		}
		break;
	case ROS_TLS_ANON:
		SSL_CTX_set_security_level(c->ctx, 0);
		SSL_CTX_set_max_proto_version(c->ctx, TLS1_2_VERSION);
		if (SSL_CTX_set_cipher_list(c->ctx, ADH_CIPHERS ":@SECLEVEL=0") != 1)
			return tls_fail(c, err, "setting the ADH ciphers", 0);
		SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
		break;
	case ROS_TLS_NOVERIFY:
		SSL_CTX_set_security_level(c->ctx, 0);
		/* not DEFAULT: its !COMPLEMENTOFDEFAULT removes aNULL for good, ADH too */
		if (SSL_CTX_set_cipher_list(c->ctx, "ALL:" ADH_CIPHERS ":@SECLEVEL=0") != 1)
			return tls_fail(c, err, "setting the ciphers", 0);
		SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
		break;
	case ROS_TLS_NONE:
		break;
	}
	return ROS_OK;
}

static int
tls_handshake(struct ros_conn *c, const struct ros_opts *o, long long deadline,
    struct ros_error *err)
{
	BIO *bio;
	int rc = tls_ctx(c, o, err);

	if (rc != ROS_OK)
		return rc;
	c->ssl = SSL_new(c->ctx);
	bio = c->ssl ? bio_sock_new(c->fd) : NULL;
	if (bio == NULL)
		return ros_fail(err, ROS_ENOMEM, "SSL_new failed");
	SSL_set_bio(c->ssl, bio, bio);
	if (!is_ip_literal(o->host))
		SSL_set_tlsext_host_name(c->ssl, o->host);
	if (o->tls == ROS_TLS_VERIFY && o->verify_hostname && SSL_set1_host(c->ssl, o->host) != 1)
		return tls_fail(c, err, "setting the expected host name", 0);
	for (;;) {
		int r, e;

		errno = 0;              /* so a stale errno is not reported */
		r = SSL_connect(c->ssl);
		if (r == 1)
			return ROS_OK;
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			rc = ros_wait(c, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, err);
			if (rc != ROS_OK) {
				if (rc == ROS_ETIMEOUT)
					ros_fail(err, rc, "TLS handshake timed out");
				return rc;
			}
			continue;
		}
		return tls_fail(c, err, "TLS handshake", e);
	}
}

/* ---- reading and writing ---- */

static enum io
io_write(struct ros_conn *c, const char *p, size_t n, size_t *done, short *want,
    struct ros_error *err)
{
	if (c->ssl) {
		int r, e;

		errno = 0;
		r = SSL_write_ex(c->ssl, p, n, done);
		if (r == 1)
			return IO_DATA;
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
			*want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
			return IO_AGAIN;
		}
		if (e == SSL_ERROR_ZERO_RETURN)
			return IO_CLOSED;
		tls_fail(c, err, "TLS write", e);
		return IO_ERR;
	}
	ssize_t w;

	do
		w = send(c->fd, p, n, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w >= 0) {
		*done = (size_t)w;
		return IO_DATA;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		*want = POLLOUT;
		return IO_AGAIN;
	}
	if (errno == EPIPE || errno == ECONNRESET)
		return IO_CLOSED;
	ros_fail(err, ROS_EIO, "send: %s", strerror(errno));
	return IO_ERR;
}

static enum io
io_read(struct ros_conn *c, char *p, size_t n, size_t *got, short *want,
    struct ros_error *err)
{
	if (c->ssl) {
		int r, e;

		errno = 0;
		r = SSL_read_ex(c->ssl, p, n, got);
		c->ssl_want_write = 0;
		if (r == 1)
			return IO_DATA;
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			*want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
			c->ssl_want_write = e == SSL_ERROR_WANT_WRITE;
			return IO_AGAIN;
		}
		if (e == SSL_ERROR_ZERO_RETURN ||
		    (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0))
			return IO_CLOSED;
		if (e == SSL_ERROR_SSL &&
		    ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			ERR_clear_error();
			return IO_CLOSED;
		}
		tls_fail(c, err, "TLS read", e);
		return IO_ERR;
	}
	ssize_t r;

	do
		r = recv(c->fd, p, n, 0);
	while (r < 0 && errno == EINTR);
	if (r > 0) {
		*got = (size_t)r;
		return IO_DATA;
	}
	if (r == 0 || errno == ECONNRESET)
		return IO_CLOSED;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		*want = POLLIN;
		return IO_AGAIN;
	}
	ros_fail(err, ROS_EIO, "recv: %s", strerror(errno));
	return IO_ERR;
}

/* An I/O outcome that ends the connection. */
static int
io_broken(struct ros_conn *c, enum io r, struct ros_error *err)
{
	if (r == IO_CLOSED)
		return ros_conn_die(c, err, ROS_ECLOSED, "the router closed the connection");
	return ros_conn_die(c, err, err ? err->code : ROS_EIO, "%s",
	    err ? err->message : "I/O error");
}

/* Write what can be written now.  *want: what to wait for if not all. */
static int
write_some(struct ros_conn *c, short *want, struct ros_error *err)
{
	while (c->out_off < c->out.len) {
		size_t done = 0;
		enum io r = io_write(c, c->out.data + c->out_off, c->out.len - c->out_off,
		    &done, want, err);

		if (r == IO_AGAIN)
			return ROS_OK;
		if (r != IO_DATA)
			return io_broken(c, r, err);
		c->out_off += done;
	}
	buf_reset(&c->out);
	c->out_off = 0;
	return ROS_OK;
}

/* Read what can be read now; *got set when any byte arrived. */
static int
read_some(struct ros_conn *c, int *got, short *want, struct ros_error *err)
{
	char chunk[READ_CHUNK];

	*got = 0;
	for (;;) {
		size_t n = 0;
		enum io r = io_read(c, chunk, sizeof(chunk), &n, want, err);

		if (r == IO_AGAIN)
			return ROS_OK;
		if (r != IO_DATA)
			return io_broken(c, r, err);
		ros_decoder_feed(&c->dec, chunk, n);
		*got = 1;
		if (n < sizeof(chunk) && !(c->ssl && SSL_pending(c->ssl)))
			return ROS_OK;
	}
}

int
ros_flush(struct ros_conn *c, long long deadline, struct ros_error *err)
{
	struct ros_error tmp;

	if (err == NULL)
		err = &tmp;
	if (c->dead != ROS_OK)
		return ros_fail(err, c->dead, "%s", c->dead_msg);
	while (c->out_off < c->out.len) {
		short want = POLLOUT;
		int rc = write_some(c, &want, err);

		if (rc == ROS_OK && c->out_off < c->out.len)
			rc = ros_wait(c, want, deadline, err);
		if (rc == ROS_ETIMEOUT)
			return ros_fail(err, rc, "could not send within the call timeout");
		if (rc != ROS_OK)
			return rc;
	}
	return ROS_OK;
}

int
ros_fill(struct ros_conn *c, long long deadline, struct ros_error *err)
{
	long long silence = ros_now_ms() + c->read_timeout_ms;
	long long until = silence < deadline ? silence : deadline;
	struct ros_error tmp;

	if (err == NULL)
		err = &tmp;
	if (c->dead != ROS_OK)
		return ros_fail(err, c->dead, "%s", c->dead_msg);
	for (;;) {
		short want = POLLIN;
		int got, rc = read_some(c, &got, &want, err);

		if (rc != ROS_OK || got)
			return rc;
		rc = ros_wait(c, want, until, err);
		if (rc == ROS_ETIMEOUT)
			return ros_fail(err, rc, until == deadline ?
			    "the call took longer than %d ms" : "no reply for %d ms",
			    until == deadline ? c->call_timeout_ms : c->read_timeout_ms);
		if (rc != ROS_OK)
			return rc;
	}
}

int
ros_io(struct ros_conn *c, short *events, struct ros_error *err)
{
	short want_w = POLLOUT, want_r = POLLIN;
	int got, rc;
	struct ros_error tmp;

	if (err == NULL)
		err = &tmp;
	*events = POLLIN;
	if (c->dead != ROS_OK)
		return ros_fail(err, c->dead, "%s", c->dead_msg);
	rc = write_some(c, &want_w, err);
	if (rc == ROS_OK)
		rc = read_some(c, &got, &want_r, err);
	if (rc != ROS_OK)
		return rc;
	if (c->out_off < c->out.len)
		*events |= want_w;
	if (c->ssl_want_write)
		*events |= POLLOUT;
	return ROS_OK;
}

int
ros_fd(const struct ros_conn *c)
{
	return c->fd;
}

/* ---- life cycle ---- */

struct ros_conn *
ros_conn_new(int fd, const struct ros_opts *o)
{
	struct ros_conn *c = xmalloc(sizeof(*c));

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->read_timeout_ms = o->read_timeout_ms > 0 ? o->read_timeout_ms : DEFAULT_READ_MS;
	c->call_timeout_ms = o->call_timeout_ms > 0 ? o->call_timeout_ms : DEFAULT_CALL_MS;
	c->max_reply = o->max_reply ? o->max_reply : ROS_MAX_REPLY_DEFAULT;
	ros_decoder_init(&c->dec, o->max_word, c->max_reply);
	c->next_tag = 1;
	return c;
}

struct ros_conn *
ros_conn_adopt(int fd, const struct ros_opts *o)
{
	set_nonblock(fd);
	return ros_conn_new(fd, o);
}

struct ros_conn *
ros_connect(const struct ros_opts *o, struct ros_error *err)
{
	int cto = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : DEFAULT_CONNECT_MS;
	long long deadline = ros_now_ms() + cto;
	unsigned short port = o->port ? o->port : o->tls == ROS_TLS_NONE ? 8728 : 8729;
	struct ros_conn *c;
	int fd, rc = ROS_OK;

	if (o->host == NULL || *o->host == '\0') {
		ros_fail(err, ROS_EINVAL, "no router host given");
		return NULL;
	}
	fd = tcp_connect(o->host, port, deadline, err);
	if (fd < 0)
		return NULL;
	c = ros_conn_new(fd, o);
	if (o->tls != ROS_TLS_NONE)
		rc = tls_handshake(c, o, deadline, err);
	if (rc == ROS_OK && o->user)
		rc = ros_login(c, o->user, o->password, err);
	if (rc != ROS_OK) {
		ros_close(c);
		return NULL;
	}
	return c;
}

void
ros_close(struct ros_conn *c)
{
	struct ros_kept *k, *next;

	if (c == NULL)
		return;
	if (c->ssl) {
		if (c->dead == ROS_OK)
			SSL_shutdown(c->ssl);   /* close_notify, not awaited */
		SSL_free(c->ssl);           /* frees the BIO */
		ERR_clear_error();
	}
	SSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	for (k = c->kept; k; k = next) {
		next = k->next;
		free(k);
	}
	free(c->cur_kept);
	free(c->fl);
	buf_free(&c->out);
	ros_decoder_free(&c->dec);
	free(c);
}
