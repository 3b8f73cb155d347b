/* session.c - commands on a RouterOS connection: tags in flight, replies
 * kept for other tags, blocking calls with deadlines, /cancel, login (with
 * the pre-6.43 MD5 challenge), and the sentence builder. */
#include "config.h"
#include "lib/routeros/conn_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* ---- tags in flight ---- */

static struct ros_flight *
flight_find(struct ros_conn *c, unsigned long tag)
{
	for (size_t i = 0; i < c->nfl; i++)
		if (c->fl[i].tag == tag)
			return &c->fl[i];
	return NULL;
}

static void
flight_end(struct ros_conn *c, unsigned long tag)
{
	struct ros_flight *f = flight_find(c, tag);

	if (f)
		*f = c->fl[--c->nfl];
}

size_t
ros_in_flight(const struct ros_conn *c)
{
	return c->nfl;
}

/* A tagged reply: the command it answers is done after it. */
static int
reply_ends(const struct ros_reply *r)
{
	return r->type == ROS_REPLY_DONE || r->type == ROS_REPLY_FATAL;
}

/* ---- replies kept for other tags ---- */

static void
keep_reply(struct ros_conn *c, const struct ros_reply *r)
{
	size_t bytes = 0;
	struct ros_kept *k;
	char *p;

	for (size_t i = 0; i < r->nwords; i++)
		bytes += r->words[i].len + 1;
	k = xmalloc(sizeof(*k) + r->nwords * (sizeof(*k->words) + sizeof(*k->attrs)) + bytes);
	k->next = NULL;
	k->nwords = r->nwords;
	k->words = (struct ros_word *)(k + 1);
	k->attrs = (struct ros_attr *)(k->words + r->nwords);
	p = (char *)(k->attrs + r->nwords);
	for (size_t i = 0, off = 0; i < r->nwords; i++) {
		memcpy(p + off, r->words[i].p, r->words[i].len);
		p[off + r->words[i].len] = '\0';
		k->words[i].p = p + off;
		k->words[i].len = r->words[i].len;
		off += r->words[i].len + 1;
	}
	if (c->kept_tail)
		c->kept_tail->next = k;
	else
		c->kept = k;
	c->kept_tail = k;
}

/* Take the first kept reply with tag (any tag when any), or NULL. */
static struct ros_kept *
take_kept(struct ros_conn *c, int any, unsigned long tag)
{
	struct ros_kept *k, *prev = NULL;
	struct ros_reply r;

	for (k = c->kept; k; prev = k, k = k->next) {
		ros_reply_parse(k->words, k->nwords, k->attrs, &r);
		if (any || (r.tag_ok && r.tag == tag))
			break;
	}
	if (k == NULL)
		return NULL;
	if (prev)
		prev->next = k->next;
	else
		c->kept = k->next;
	if (c->kept_tail == k)
		c->kept_tail = prev;
	return k;
}

/* ---- pulling replies ---- */

/* The next reply from the decoder that someone wants: 1, 0 or -1.  Replies
 * to tags not in flight are dropped; !fatal marks the connection dead. */
static int
pull_decoded(struct ros_conn *c, struct ros_reply *r, struct ros_error *err)
{
	for (;;) {
		struct ros_error derr;
		int got = ros_decoder_next(&c->dec, r, &derr);

		if (got < 0) {
			ros_conn_die(c, NULL, derr.code, "%s", derr.message);
			if (err)
				*err = derr;
			return -1;
		}
		if (got == 0)
			return 0;
		if (r->type == ROS_REPLY_FATAL) {
			ros_conn_die(c, NULL, ROS_EFATAL, "%.*s", (int)r->reason.len, r->reason.p);
			return 1;
		}
		if (r->has_tag && (!r->tag_ok || flight_find(c, r->tag) == NULL))
			continue;       /* an abandoned command's late reply */
		return 1;
	}
}

int
ros_next_reply(struct ros_conn *c, struct ros_reply *r, struct ros_error *err)
{
	int got;

	free(c->cur_kept);
	c->cur_kept = take_kept(c, 1, 0);
	if (c->cur_kept) {
		ros_reply_parse(c->cur_kept->words, c->cur_kept->nwords, c->cur_kept->attrs, r);
		got = 1;
	} else {
		/* what arrived before a close is still handed out first */
		got = pull_decoded(c, r, err);
		if (got == 0 && c->dead != ROS_OK && c->dead != ROS_EFATAL) {
			ros_fail(err, c->dead, "%s", c->dead_msg);
			return -1;
		}
	}
	if (got == 1 && r->tag_ok && reply_ends(r))
		flight_end(c, r->tag);
	return got;
}

int
ros_read_reply(struct ros_conn *c, struct ros_reply *r, int timeout_ms, struct ros_error *err)
{
	long long deadline = ros_now_ms() + (timeout_ms < 0 ? c->read_timeout_ms : timeout_ms);
	struct ros_error tmp;

	if (err == NULL)
		err = &tmp;
	for (;;) {
		int got = ros_next_reply(c, r, err), rc;

		if (got > 0)
			return ROS_OK;
		if (got < 0)
			return err->code;
		rc = ros_flush(c, deadline, err);
		if (rc == ROS_OK)
			rc = ros_fill(c, deadline, err);
		if (rc != ROS_OK)
			return rc;
	}
}

/* ---- sending ---- */

int
ros_queue(struct ros_conn *c, const struct ros_word *words, size_t nwords,
    unsigned long *tag, struct ros_error *err)
{
	struct ros_word *w;
	char tagw[32];
	int rc;

	if (c->dead != ROS_OK)
		return ros_fail(err, c->dead, "%s", c->dead_msg);
	if (nwords == 0 || words[0].len == 0 || words[0].p[0] != '/')
		return ros_fail(err, ROS_EINVAL, "a command starts with '/'");
	w = xmalloc((nwords + 1) * sizeof(*w));
	memcpy(w, words, nwords * sizeof(*w));
	if (c->next_tag == 0 || c->next_tag > 999999999UL)
		c->next_tag = 1;
	*tag = c->next_tag++;
	w[nwords].len = (size_t)snprintf(tagw, sizeof(tagw), ".tag=%lu", *tag);
	w[nwords].p = tagw;
	rc = ros_sentence_encode(&c->out, w, nwords + 1);
	free(w);
	if (rc != ROS_OK)
		return ros_fail(err, rc, "a word is longer than the protocol allows");
	if (c->nfl == c->capfl) {
		c->capfl = c->capfl ? c->capfl * 2 : 8;
		c->fl = xrealloc(c->fl, c->capfl * sizeof(*c->fl));
	}
	c->fl[c->nfl].tag = *tag;
	c->fl[c->nfl].cancelled = 0;
	c->nfl++;
	return ROS_OK;
}

int
ros_send(struct ros_conn *c, const struct ros_word *words, size_t nwords,
    unsigned long *tag, struct ros_error *err)
{
	int rc = ros_queue(c, words, nwords, tag, err);

	return rc != ROS_OK ? rc : ros_flush(c, ros_now_ms() + c->call_timeout_ms, err);
}

/* ---- waiting for one command ---- */

/* The command's outcome once its replies are in res. */
static int
outcome(const struct ros_result *res, int cancelled, struct ros_error *err)
{
	if (res->fatal)
		return ros_fail(err, ROS_EFATAL, "%s", res->fatal_reason.p);
	if (res->ntraps == 0 || (cancelled && res->interrupted))
		return ROS_OK;
	ros_fail(err, ROS_ETRAP, "%s", res->traps[0].message.p);
	err->category = res->traps[0].category;
	return ROS_ETRAP;
}

int
ros_collect(struct ros_conn *c, unsigned long tag, struct ros_result *res,
    struct ros_error *err)
{
	long long deadline = ros_now_ms() + c->call_timeout_ms;
	struct ros_flight *f = flight_find(c, tag);
	struct ros_kept *k;
	struct ros_reply r;
	int cancelled, done = 0, rc = ROS_OK;
	struct ros_error tmp;

	if (err == NULL)
		err = &tmp;
	ros_result_init(res);
	res->max_bytes = c->max_reply;
	if (f == NULL)
		return ros_fail(err, ROS_EINVAL, "tag %lu is not in flight", tag);
	cancelled = f->cancelled;
	while (!done && (k = take_kept(c, 0, tag)) != NULL) {
		ros_reply_parse(k->words, k->nwords, k->attrs, &r);
		done = ros_result_add(res, &r, err);
		free(k);
	}
	if (!done)
		rc = ros_flush(c, deadline, err);
	while (!done && rc == ROS_OK) {
		int got = pull_decoded(c, &r, err);

		if (got < 0) {
			rc = err->code;
		} else if (got == 0) {
			rc = ros_fill(c, deadline, err);
		} else if (r.type == ROS_REPLY_FATAL || (r.tag_ok && r.tag == tag)) {
			done = ros_result_add(res, &r, err);
			if (done < 0)
				rc = ros_conn_die(c, err, ROS_ETOOBIG, "%s", err->message);
		} else if (r.has_tag) {
			keep_reply(c, &r);
		}
	}
	flight_end(c, tag);         /* finished, or abandoned: late replies dropped */
	return rc != ROS_OK ? rc : outcome(res, cancelled, err);
}

int
ros_command_words(struct ros_conn *c, const struct ros_word *words, size_t nwords,
    struct ros_result *res, struct ros_error *err)
{
	unsigned long tag;
	int rc = ros_queue(c, words, nwords, &tag, err);

	if (rc != ROS_OK) {
		ros_result_init(res);
		return rc;
	}
	return ros_collect(c, tag, res, err);
}

int
ros_command(struct ros_conn *c, const char *const *words, size_t nwords,
    struct ros_result *res, struct ros_error *err)
{
	struct ros_word *w = xmalloc((nwords ? nwords : 1) * sizeof(*w));
	int rc;

	for (size_t i = 0; i < nwords; i++) {
		w[i].p = words[i];
		w[i].len = strlen(words[i]);
	}
	rc = ros_command_words(c, w, nwords, res, err);
	free(w);
	return rc;
}

int
ros_cancel(struct ros_conn *c, unsigned long tag, struct ros_error *err)
{
	struct ros_flight *f = flight_find(c, tag);
	struct ros_result res;
	char arg[32];
	struct ros_word w[2] = { { "/cancel", 7 }, { arg, 0 } };
	int rc;

	if (f == NULL)
		return ros_fail(err, ROS_EINVAL, "tag %lu is not in flight", tag);
	f->cancelled = 1;
	w[1].len = (size_t)snprintf(arg, sizeof(arg), "=tag=%lu", tag);
	rc = ros_command_words(c, w, 2, &res, err);
	ros_result_free(&res);
	return rc;
}

/* ---- login ---- */

int
ros_login_response(const char *password, const char *challenge_hex, char out[35])
{
	static const char hex[] = "0123456789abcdef";
	size_t hl = strlen(challenge_hex), pl = strlen(password), n = 0;
	unsigned char md[EVP_MAX_MD_SIZE], *msg;
	unsigned int mdlen = 0;
	int ok;

	if (hl == 0 || hl % 2 || hl > 512)
		return ROS_EINVAL;
	msg = xmalloc(1 + pl + hl / 2);
	msg[n++] = 0;
	memcpy(msg + n, password, pl);
	n += pl;
	for (size_t i = 0; i < hl; i += 2) {
		unsigned v = 0;

		if (sscanf(challenge_hex + i, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdefABCDEF", challenge_hex[i]) ||
		    !strchr("0123456789abcdefABCDEF", challenge_hex[i + 1])) {
			free(msg);
			return ROS_EINVAL;
		}
		msg[n++] = (unsigned char)v;
	}
	ok = EVP_Digest(msg, n, md, &mdlen, EVP_md5(), NULL);
	free(msg);
	if (!ok || mdlen != 16)
		return ROS_EINVAL;
	out[0] = out[1] = '0';
	for (unsigned i = 0; i < 16; i++) {
		out[2 + 2 * i] = hex[md[i] >> 4];
		out[3 + 2 * i] = hex[md[i] & 15];
	}
	out[34] = '\0';
	return ROS_OK;
}

/* A refused login is ROS_ELOGIN, whatever the router's words. */
static int
login_step(struct ros_conn *c, struct ros_cmd *cmd, struct ros_result *res,
    struct ros_error *err)
{
	int rc = ros_cmd_run(c, cmd, res, err);

	if (rc == ROS_ETRAP) {
		err->code = ROS_ELOGIN;     /* message and category kept */
		return ROS_ELOGIN;
	}
	return rc;
}

int
ros_login(struct ros_conn *c, const char *user, const char *password, struct ros_error *err)
{
	struct arena a;
	struct ros_cmd cmd;
	struct ros_result res;
	const char *challenge;
	char resp[35];
	int rc;
	struct ros_error tmp;

	if (err == NULL)
		err = &tmp;
	if (user == NULL)
		return ros_fail(err, ROS_EINVAL, "no user name");
	if (password == NULL)
		password = "";
	arena_init(&a);
	ros_cmd_init(&cmd, &a, "/login");
	ros_cmd_attr(&cmd, "name", user);
	ros_cmd_attr(&cmd, "password", password);
	rc = login_step(c, &cmd, &res, err);
	challenge = rc == ROS_OK ? ros_result_ret(&res) : NULL;
	if (challenge) {            /* RouterOS before 6.43 */
		if (ros_login_response(password, challenge, resp) != ROS_OK) {
			rc = ros_fail(err, ROS_EPROTO, "login challenge is not hex");
		} else {
			ros_result_free(&res);
			ros_cmd_init(&cmd, &a, "/login");
			ros_cmd_attr(&cmd, "name", user);
			ros_cmd_attr(&cmd, "response", resp);
			rc = login_step(c, &cmd, &res, err);
		}
	}
	ros_result_free(&res);
	arena_free(&a);
	return rc;
}

/* ---- the sentence builder ---- */

void
ros_cmd_init(struct ros_cmd *cmd, struct arena *a, const char *command)
{
	cmd->a = a;
	cmd->n = 0;
	cmd->overflow = 0;
	ros_cmd_word(cmd, command);
}

static void
cmd_push(struct ros_cmd *cmd, char *p)
{
	if (cmd->n == ROS_CMD_MAX) {
		cmd->overflow = 1;
		return;
	}
	cmd->w[cmd->n].p = p;
	cmd->w[cmd->n].len = strlen(p);
	cmd->n++;
}

void
ros_cmd_word(struct ros_cmd *cmd, const char *word)
{
	cmd_push(cmd, arena_strdup(cmd->a, word));
}

void
ros_cmd_wordf(struct ros_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmd_push(cmd, arena_vprintf(cmd->a, fmt, ap));
	va_end(ap);
}

void
ros_cmd_attr(struct ros_cmd *cmd, const char *key, const char *value)
{
	if (value)
		ros_cmd_wordf(cmd, "=%s=%s", key, value);
}

void
ros_cmd_query(struct ros_cmd *cmd, char op, const char *key, const char *value)
{
	if (op == '<' || op == '>')
		ros_cmd_wordf(cmd, "?%c%s=%s", op, key, value);
	else
		ros_cmd_wordf(cmd, "?%s=%s", key, value);
}

void
ros_cmd_query_has(struct ros_cmd *cmd, const char *key, int has)
{
	ros_cmd_wordf(cmd, has ? "?%s" : "?-%s", key);
}

void
ros_cmd_query_op(struct ros_cmd *cmd, const char *ops)
{
	ros_cmd_wordf(cmd, "?#%s", ops);
}

void
ros_cmd_proplist(struct ros_cmd *cmd, const char *props)
{
	ros_cmd_wordf(cmd, ".proplist=%s", props);
}

int
ros_cmd_run(struct ros_conn *c, const struct ros_cmd *cmd, struct ros_result *res,
    struct ros_error *err)
{
	if (cmd->overflow) {
		ros_result_init(res);
		return ros_fail(err, ROS_EINVAL, "more than %d words in one command", ROS_CMD_MAX);
	}
	return ros_command_words(c, cmd->w, cmd->n, res, err);
}

char *
ros_ids_join(struct arena *a, const struct ros_result *res)
{
	struct buf b = BUF_INIT;
	char *s = NULL;

	for (size_t i = 0; i < res->nitems; i++) {
		const char *id = ros_item_str(&res->items[i], ".id");

		if (id == NULL)
			continue;
		if (b.len)
			buf_putc(&b, ',');
		buf_puts(&b, id);
	}
	if (b.len)
		s = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return s;
}
