/* routeros.h - RouterOS API client (libispbill): the word codec, sentences
 * and replies, a connection over TCP (8728) or api-ssl (8729) with login,
 * timeouts and tags, and thin helpers for the menus ispbill provisions.
 *
 * Layers, each usable alone:
 *   codec    words and sentences to and from bytes; an incremental decoder
 *            (feed bytes, pull replies) with no I/O of its own.
 *   result   the replies of one command gathered into items, traps, flags.
 *   conn     a socket (TLS optional), login, timeouts, tags; a blocking
 *            call (ros_command) and a non-blocking feed/pull face for event
 *            loops (ros_fd, ros_io, ros_next_reply).
 *   menus    /system/resource, /ip/hotspot/..., /ppp/..., /interface,
 *            /ping, /queue/simple: build the sentence, run it, return items.
 *
 * Words are byte strings: every one carries its length and may hold NUL or
 * bytes that are not UTF-8.  For convenience each stored word is also
 * followed by a NUL byte, so p is a C string when the word holds no NUL.
 *
 * Errors: functions returning int return ROS_OK (0) or an enum ros_code and
 * fill the struct ros_error the caller passed (which may be NULL).  Memory
 * that cannot be had aborts the process (util/arena.h's policy), so
 * ROS_ENOMEM only reports an OpenSSL object OpenSSL would not create.
 * Nothing here is thread-safe per connection: one connection, one thread. */
#ifndef ISP_ROUTEROS_H
#define ISP_ROUTEROS_H

#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>

#include "util/arena.h"
#include "util/buf.h"

/* ---- errors ---- */

enum ros_code {
	ROS_OK = 0,
	ROS_ECONNECT,   /* name did not resolve, connection refused, unreachable */
	ROS_ETIMEOUT,   /* connect or TLS handshake past connect_timeout_ms, no
			   answer within the read timeout or the call deadline */
	ROS_ETLS,       /* TLS handshake, certificate or record failure */
	ROS_ELOGIN,     /* the router refused the user name or password */
	ROS_ETRAP,      /* the command ended with !trap (message, category set) */
	ROS_EFATAL,     /* !fatal: the router closes the session (reason set) */
	ROS_EPROTO,     /* bytes that are not the API protocol (e.g. 0xF8+ prefix) */
	ROS_ECLOSED,    /* the peer closed, or the connection is unusable */
	ROS_ENOMEM,     /* OpenSSL could not allocate an object */
	ROS_ETOOBIG,    /* a word or a reply larger than the configured maximum */
	ROS_EINVAL,     /* a bad argument (missing name, too many words, ...) */
	ROS_ENOTFOUND,  /* a find-by-name helper found no entry */
	ROS_EIO         /* a socket error (errno text in the message) */
};

struct ros_error {
	enum ros_code code;
	int  category;      /* the trap's =category= (0-7), -1 when there is none */
	char message[256];  /* trap message, fatal reason or a one-line detail */
};

/* Short stable name of a code: "ROS_ETIMEOUT" -> "timeout", etc. */
const char *ros_code_str(enum ros_code code);
/* "trap (category 5): invalid user name or password (6)" into out (always
 * NUL-terminated, truncated to n).  Returns out. */
const char *ros_error_format(const struct ros_error *err, char *out, size_t n);
/* Fill err (when not NULL) and return code.  For library code and tests. */
int ros_fail(struct ros_error *err, enum ros_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- words and the length prefix ---- */

#define ROS_MAX_WORD_DEFAULT   (16u << 20)   /* 16 MiB */
#define ROS_MAX_REPLY_DEFAULT  (64u << 20)   /* bytes of one command's replies */
#define ROS_LEN_MAX            0xFFFFFFFFu   /* the largest length on the wire */

struct ros_word {
	const char *p;      /* p[len] == '\0' in every word this library stores */
	size_t len;
};

/* Encode a word length: 1 byte below 0x80, 2 below 0x4000 (|0x8000),
 * 3 below 0x200000 (|0xC00000), 4 below 0x10000000 (|0xE0000000), else 0xF0
 * and 4 bytes, big-endian.  Returns the number of bytes written to out, or
 * 0 when len exceeds ROS_LEN_MAX. */
size_t ros_len_encode(size_t len, unsigned char out[5]);

/* Decode a length prefix from the n bytes at p.  Returns 1 and sets *len
 * and *used when complete, 0 when more bytes are needed, -1 when the first
 * byte is 0xF8 or more (a reserved control byte: a protocol error). */
int ros_len_decode(const unsigned char *p, size_t n, uint32_t *len, size_t *used);

/* Append each word (length prefix + bytes) and the zero-length word that
 * ends the sentence to out.  Returns ROS_EINVAL if a word is too long. */
int ros_sentence_encode(struct buf *out, const struct ros_word *w, size_t n);

/* ---- replies ---- */

enum ros_reply_type {
	ROS_REPLY_RE,       /* !re: one item */
	ROS_REPLY_DONE,     /* !done: the command is complete */
	ROS_REPLY_TRAP,     /* !trap: an error; a !done still follows */
	ROS_REPLY_FATAL,    /* !fatal <reason>: the session is over */
	ROS_REPLY_EMPTY,    /* !empty: an empty print (RouterOS 7.18+), then !done */
	ROS_REPLY_UNKNOWN   /* any other first word */
};

struct ros_attr {
	struct ros_word key;    /* "name" of "=name=value"; ".section" of ".section=1" */
	struct ros_word value;  /* everything after the second '=' (may be empty, may hold '=') */
};

/* One reply sentence, classified.  All pointers point into storage owned by
 * whoever produced the reply (the decoder or the connection) and stay valid
 * until the next call on that producer. */
struct ros_reply {
	enum ros_reply_type type;
	int has_tag;                /* a .tag= word was present */
	int tag_ok;                 /* ... and it was a decimal number */
	unsigned long tag;
	struct ros_attr *attrs;     /* "=k=v" words, and ".k=v" words but .tag */
	size_t nattrs;
	struct ros_word reason;     /* !fatal: its first bare word, else empty */
	const struct ros_word *words;  /* the raw sentence, type word first */
	size_t nwords;
};

/* Classify a sentence of n words.  attrs must have room for n entries; the
 * reply points into w and attrs.  Words that are neither "=k=v" nor ".k=v"
 * (e.g. the bare reason of !fatal) are kept in words only. */
void ros_reply_parse(const struct ros_word *w, size_t n, struct ros_attr *attrs,
    struct ros_reply *out);

/* Value of key in a reply's attributes (first match), or NULL. */
const struct ros_word *ros_reply_get(const struct ros_reply *r, const char *key);

/* ---- the incremental decoder ---- */

/* Bytes in, replies out: a length prefix or a word may be split anywhere
 * across feeds.  After an error (-1 from ros_decoder_next) the decoder
 * stays failed: the stream cannot be resynchronised. */
struct ros_decoder {
	struct buf in;          /* bytes fed, not yet consumed */
	size_t in_off;
	unsigned char pfx[5];   /* length prefix being read */
	size_t pfx_got;
	int in_word;            /* reading a word's bytes */
	size_t word_left;
	struct buf sbytes;      /* the sentence's words, each NUL-terminated */
	size_t *offs;           /* per word: offset in sbytes and length */
	size_t *lens;
	size_t nwords, capwords;
	struct ros_word *words; /* built when a sentence completes */
	struct ros_attr *attrs;
	size_t max_word;        /* a longer word is ROS_ETOOBIG */
	size_t max_sentence;    /* bytes of one sentence; larger is ROS_ETOOBIG */
	int ready;              /* a sentence is complete in sbytes */
	enum ros_code failed;   /* ROS_OK until the stream is broken */
	char fail_msg[128];
};

/* max_word 0 means ROS_MAX_WORD_DEFAULT; max_sentence 0 means
 * ROS_MAX_REPLY_DEFAULT.  The decoder owns malloc'd memory: free it with
 * ros_decoder_free. */
void ros_decoder_init(struct ros_decoder *d, size_t max_word, size_t max_sentence);
void ros_decoder_free(struct ros_decoder *d);
/* Queue n bytes (copied).  Never fails. */
void ros_decoder_feed(struct ros_decoder *d, const void *data, size_t n);
/* Pull the next complete reply: 1 with *out filled (valid until the next
 * feed/next/free), 0 when more bytes are needed, -1 on a protocol error or
 * a size cap, with err filled (ROS_EPROTO or ROS_ETOOBIG).  Empty sentences
 * (a lone zero-length word) are skipped, as the protocol says. */
int ros_decoder_next(struct ros_decoder *d, struct ros_reply *out, struct ros_error *err);
/* Bytes fed but not yet part of a returned reply. */
size_t ros_decoder_pending(const struct ros_decoder *d);

/* ---- results: the replies of one command ---- */

struct ros_item {                /* one !re */
	struct ros_attr *attrs;
	size_t n;
};

struct ros_trap {
	int category;               /* -1 when the trap has none */
	struct ros_word message;
};

/* Everything a result holds lives in its own arena (copied from the
 * replies), so it outlives the connection; free it with ros_result_free. */
struct ros_result {
	struct arena arena;
	int arena_ready;
	struct ros_item *items;
	size_t nitems, capitems;
	struct ros_trap *traps;     /* one or several !trap, in order */
	size_t ntraps, captraps;
	struct ros_attr *done;      /* attributes of !done (e.g. =ret=*1A) */
	size_t ndone;
	int empty;                  /* !empty seen */
	int complete;               /* !done (or !fatal) seen */
	int fatal;                  /* !fatal seen: reason in fatal_reason */
	int interrupted;            /* a trap of category 2 (e.g. after /cancel) */
	struct ros_word fatal_reason;
	size_t bytes;               /* bytes copied, checked against max_bytes */
	size_t max_bytes;           /* 0: ROS_MAX_REPLY_DEFAULT */
};

/* Start an empty result (it allocates: ros_result_free it).  The calls
 * that fill a result initialise it themselves, so do not init one before
 * passing it to them (that arena would leak); a zeroed result is empty and
 * safe to free. */
void ros_result_init(struct ros_result *r);
/* Add one reply of the command: !re becomes an item, !trap a trap, !empty
 * sets empty, !done its attributes and complete, !fatal fatal and
 * complete.  Returns 1 when the command is complete, 0 when more replies
 * are due, -1 (err ROS_ETOOBIG) when the result would exceed max_bytes.
 * Once complete, further replies are ignored and 1 is returned. */
int ros_result_add(struct ros_result *r, const struct ros_reply *rep, struct ros_error *err);
/* Release the arena and arrays; the struct may be initialised again. */
void ros_result_free(struct ros_result *r);

/* The value of key in an item (first match) or NULL. */
const struct ros_word *ros_item_get(const struct ros_item *it, const char *key);
/* The same as a C string (NULL when absent; a value holding a NUL byte is
 * cut there: use ros_item_get for exact bytes). */
const char *ros_item_str(const struct ros_item *it, const char *key);
/* "yes"/"true" -> 1, "no"/"false" -> 0, absent or other -> dflt. */
int ros_item_bool(const struct ros_item *it, const char *key, int dflt);
/* A decimal unsigned value (e.g. rx-byte), dflt when absent or not digits. */
unsigned long long ros_item_u64(const struct ros_item *it, const char *key,
    unsigned long long dflt);
/* =ret= of the !done (the .id an add created, the login challenge), or NULL. */
const char *ros_result_ret(const struct ros_result *r);

/* ---- text helpers ---- */

/* Append the n bytes at p to out as valid UTF-8: well-formed UTF-8
 * sequences pass unchanged; each byte that is not part of one (a stray
 * continuation, an overlong form, a surrogate, > U+10FFFF, a cut sequence)
 * is taken as the Latin-1 character of that value (0xE9 -> U+00E9 "é"), so
 * nothing is lost and names typed in the Winbox code page stay readable.
 * NUL bytes are kept (the JSON writer escapes them as \u0000). */
void ros_utf8_sanitize(struct buf *out, const char *p, size_t n);
/* 1 when the n bytes at p are well-formed UTF-8 (strict, as above). */
int ros_utf8_valid(const char *p, size_t n);

/* Write a word as a JSON string through the project's writer, after
 * ros_utf8_sanitize (so the output is valid JSON whatever the bytes). */
void ros_json_word(yajl_gen g, const char *p, size_t n);
/* Write an item as a JSON object {"key": "value", ...}, both sanitized. */
void ros_json_item(yajl_gen g, const struct ros_item *it);

/* RouterOS durations ("1w2d3h4m5s", "00:10:00", "1d00:00:05", "45s",
 * "12ms", "1s500ms", "350us") in microseconds; -1 when malformed. */
long long ros_duration_us(const char *s);

/* The legacy (pre-6.43) login response for a challenge given as hex:
 * "00" + hex(md5(0x00 + password + challenge bytes)) into out (35 bytes
 * with the NUL).  Returns ROS_EINVAL when the challenge is not even-length
 * hex. */
int ros_login_response(const char *password, const char *challenge_hex, char out[35]);

/* ---- connections ---- */

enum ros_tls {
	ROS_TLS_NONE = 0,   /* plain TCP, default port 8728 */
	ROS_TLS_VERIFY,     /* api-ssl (8729), the router's certificate verified
			       against ca_file/ca_path or the system store */
	ROS_TLS_ANON,       /* api-ssl to a router with no certificate: TLS 1.2,
			       anonymous DH ciphers, OpenSSL security level 0 */
	ROS_TLS_NOVERIFY    /* api-ssl, any certificate or ADH accepted
			       (encrypts, proves nothing: for labs) */
};

struct ros_opts {
	const char *host;            /* name or address (resolution is blocking
					and not covered by connect_timeout_ms) */
	unsigned short port;         /* 0: 8728, or 8729 with TLS */
	const char *user;            /* NULL: ros_connect does not log in */
	const char *password;        /* NULL is "" */
	enum ros_tls tls;
	const char *ca_file;         /* ROS_TLS_VERIFY: PEM bundle, or NULL */
	const char *ca_path;         /* ROS_TLS_VERIFY: hashed directory, or NULL;
					both NULL: the system's default store */
	int verify_hostname;         /* ROS_TLS_VERIFY: also match host against
					the certificate's names */
	int connect_timeout_ms;      /* TCP connect + TLS handshake; 0: 5000 */
	int read_timeout_ms;         /* longest silence while a reply is due; 0: 10000 */
	int call_timeout_ms;         /* whole of one call (login, ros_command); 0: 30000 */
	size_t max_word;             /* 0: ROS_MAX_WORD_DEFAULT */
	size_t max_reply;            /* 0: ROS_MAX_REPLY_DEFAULT (one command's replies) */
};

struct ros_conn;

/* Connect (TCP, then TLS when asked), then log in when o->user is set.
 * Returns a connection to release with ros_close, or NULL with err filled:
 * ROS_ECONNECT, ROS_ETIMEOUT, ROS_ETLS, ROS_ELOGIN, ROS_EFATAL, ... .  The
 * password is not kept. */
struct ros_conn *ros_connect(const struct ros_opts *o, struct ros_error *err);

/* Wrap a connected plain stream socket (a socketpair in tests, a socket the
 * caller connected itself).  The connection owns fd from then on (closed
 * by ros_close) and makes it non-blocking.  No login: call ros_login. */
struct ros_conn *ros_conn_adopt(int fd, const struct ros_opts *o);

/* Log in: /login =name= =password= (RouterOS 6.43+); when the !done carries
 * =ret=<challenge> the router is older and the MD5 challenge response
 * follows.  A refusal ("invalid user name or password (6)", "cannot log
 * in") is ROS_ELOGIN with the router's message. */
int ros_login(struct ros_conn *c, const char *user, const char *password,
    struct ros_error *err);

/* Close the socket (TLS close_notify sent, not awaited) and free all. */
void ros_close(struct ros_conn *c);

/* Run one command and wait for its !done: words[0] is the command
 * ("/ip/hotspot/user/print"), the rest attributes ("=name=x"), queries
 * ("?name=x", "?#|") or API words (".proplist=name,.id").  A .tag is added
 * by the library.  res is initialised here and must be freed with
 * ros_result_free whatever is returned.  Returns ROS_OK, ROS_ETRAP (the
 * first trap's message and category in err; all traps and any items in
 * res), ROS_EFATAL (session over), ROS_ETIMEOUT (no byte for
 * read_timeout_ms, or the call took call_timeout_ms; the command is then
 * abandoned: its late replies are dropped), ROS_ECLOSED, ROS_EPROTO,
 * ROS_ETOOBIG, ROS_ETLS, ROS_EIO.  Replies to other commands in flight on
 * the connection are kept for them. */
int ros_command(struct ros_conn *c, const char *const *words, size_t nwords,
    struct ros_result *res, struct ros_error *err);
/* The same with byte-string words (a password holding any byte). */
int ros_command_words(struct ros_conn *c, const struct ros_word *words, size_t nwords,
    struct ros_result *res, struct ros_error *err);

/* ---- tags, streaming and event loops ---- */

/* Queue a command with a fresh tag (set in *tag) for sending; no I/O.  The
 * tag stays in flight until its !done (or !fatal) is pulled. */
int ros_queue(struct ros_conn *c, const struct ros_word *words, size_t nwords,
    unsigned long *tag, struct ros_error *err);
/* ros_queue, then write everything queued, blocking up to call_timeout_ms. */
int ros_send(struct ros_conn *c, const struct ros_word *words, size_t nwords,
    unsigned long *tag, struct ros_error *err);
/* Wait for the tagged command's !done, gathering its replies in res
 * (initialised here; free it).  Replies to other tags are kept for them.
 * Same returns as ros_command; a command stopped by ros_cancel ends with
 * its trap "interrupted" (category 2): ROS_OK with res->interrupted set. */
int ros_collect(struct ros_conn *c, unsigned long tag, struct ros_result *res,
    struct ros_error *err);
/* Stop a tagged command (a streaming one: monitor-traffic, ping, listen):
 * sends /cancel =tag=<tag> and waits for the /cancel's own !done.  The
 * cancelled command's trap "interrupted" and !done are still to be pulled
 * (ros_collect or ros_next_reply).  If the command had already ended, the
 * router may answer the /cancel itself with a trap (ROS_ETRAP); the
 * command's own replies are not affected. */
int ros_cancel(struct ros_conn *c, unsigned long tag, struct ros_error *err);

/* The socket, for poll/epoll/libwebsockets. */
int ros_fd(const struct ros_conn *c);
/* Non-blocking step for an event loop: write what it can of the queued
 * bytes, read what the socket (and TLS) has into the decoder.  Never
 * waits.  *events gets the poll events to wait for next (POLLIN, plus
 * POLLOUT while output is queued or TLS wants to write).  Returns ROS_OK
 * or ROS_ECLOSED, ROS_ETLS, ROS_EIO; replies that arrived before such an
 * error can still be pulled with ros_next_reply. */
int ros_io(struct ros_conn *c, short *events, struct ros_error *err);
/* Pull the next reply already received (replies kept for other tags by a
 * blocking call first): 1 with *r filled (valid until the next call on c),
 * 0 when none is complete yet, -1 on error (err: ROS_EPROTO, ROS_ETOOBIG,
 * ROS_ECLOSED: only once every reply received before it was pulled).  A !done removes its tag from flight; a !fatal marks the
 * connection dead (later calls: ROS_ECLOSED).  Replies whose tag is not in
 * flight (abandoned after a timeout) are dropped. */
int ros_next_reply(struct ros_conn *c, struct ros_reply *r, struct ros_error *err);
/* Block until a reply is pulled or timeout_ms (<0: read_timeout_ms) runs
 * out: ROS_OK with *r filled, or ROS_ETIMEOUT and the errors above. */
int ros_read_reply(struct ros_conn *c, struct ros_reply *r, int timeout_ms,
    struct ros_error *err);
/* Number of tagged commands awaiting their !done. */
size_t ros_in_flight(const struct ros_conn *c);

/* ---- a sentence builder, for the menus and their callers ---- */

/* Words built in an arena: ros_cmd_init(&cmd, a, "/ppp/secret/set"), then
 * ros_cmd_attr(&cmd, "name", "x") -> "=name=x", ros_cmd_word(&cmd, "?#|").
 * At most ROS_CMD_MAX words: further words set cmd->overflow, and running
 * such a command fails with ROS_EINVAL. */
#define ROS_CMD_MAX 64
struct ros_cmd {
	struct arena *a;
	struct ros_word w[ROS_CMD_MAX];
	size_t n;
	int overflow;
};
void ros_cmd_init(struct ros_cmd *cmd, struct arena *a, const char *command);
void ros_cmd_word(struct ros_cmd *cmd, const char *word);
void ros_cmd_wordf(struct ros_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "=key=value"; nothing when value is NULL. */
void ros_cmd_attr(struct ros_cmd *cmd, const char *key, const char *value);
/* "?key=value" (op '='), "?<key=value" ('<'), "?>key=value" ('>'); */
void ros_cmd_query(struct ros_cmd *cmd, char op, const char *key, const char *value);
/* "?key" (has) or "?-key" (has not) */
void ros_cmd_query_has(struct ros_cmd *cmd, const char *key, int has);
/* "?#|", "?#&", "?#!", or a stack expression like "?#|!" */
void ros_cmd_query_op(struct ros_cmd *cmd, const char *ops);
/* ".proplist=a,b,c" */
void ros_cmd_proplist(struct ros_cmd *cmd, const char *props);
/* Run it: ros_command_words with the built words. */
int ros_cmd_run(struct ros_conn *c, const struct ros_cmd *cmd, struct ros_result *res,
    struct ros_error *err);

/* Join the .id of every item ("*1,*2,*A") into a, for remove/set on many;
 * NULL when there are none. */
char *ros_ids_join(struct arena *a, const struct ros_result *res);

/* ---- menus (menus.c) ----
 * Each helper builds one sentence, runs it with ros_command's timeouts
 * and returns as ros_command does (ROS_ETRAP with the router's message
 * when the router refuses); results given to the caller are theirs to
 * ros_result_free whatever the return. */

#define ROS_M_HOTSPOT_USER     "/ip/hotspot/user"
#define ROS_M_HOTSPOT_ACTIVE   "/ip/hotspot/active"
#define ROS_M_HOTSPOT_PROFILE  "/ip/hotspot/user/profile"
#define ROS_M_PPP_SECRET       "/ppp/secret"
#define ROS_M_PPP_PROFILE      "/ppp/profile"
#define ROS_M_PPP_ACTIVE       "/ppp/active"
#define ROS_M_INTERFACE        "/interface"
#define ROS_M_QUEUE_SIMPLE     "/queue/simple"

/* One attribute to write; a NULL value is skipped (left as it is). */
struct ros_kv {
	const char *key;
	const char *value;
};

/* Generic menu verbs.  menu is a path from above ("/ppp/secret"). */
/* print, with optional queries ("?name=x", "?#|"...) and .proplist. */
int ros_print(struct ros_conn *c, const char *menu, const char *const *queries,
    size_t nq, const char *proplist, struct ros_result *res, struct ros_error *err);
/* print ?<key>=<value> .proplist=.id: the first match's .id into id (NUL-
 * terminated, idn bytes); ROS_ENOTFOUND when none matches. */
int ros_find_id(struct ros_conn *c, const char *menu, const char *key, const char *value,
    char *id, size_t idn, struct ros_error *err);
/* add; the new entry's .id (=ret=) into id when id is not NULL. */
int ros_add(struct ros_conn *c, const char *menu, const struct ros_kv *kv, size_t n,
    char *id, size_t idn, struct ros_error *err);
/* set =.id=<id(s)> and the attributes; ids may be a comma list. */
int ros_set(struct ros_conn *c, const char *menu, const char *ids, const struct ros_kv *kv,
    size_t n, struct ros_error *err);
/* remove =.id=<id(s)>. */
int ros_remove(struct ros_conn *c, const char *menu, const char *ids, struct ros_error *err);
/* enable / disable =.id=<id(s)>. */
int ros_set_disabled(struct ros_conn *c, const char *menu, const char *ids, int disabled,
    struct ros_error *err);

/* Idempotent provisioning by name (or by key for menus named otherwise). */
/* Add the entry named name with kv, or set kv on it when it exists.
 * *created (may be NULL) is 1 when it was added; its .id into id if not NULL. */
int ros_upsert_by_name(struct ros_conn *c, const char *menu, const char *name,
    const struct ros_kv *kv, size_t n, int *created, char *id, size_t idn,
    struct ros_error *err);
/* Remove every entry whose key equals value.  ROS_OK in both cases;
 * *was_absent (may be NULL) is 1 when there was none, and *removed the
 * count.  Used for /ip/hotspot/active (key "user") and /ppp/active
 * ("name") to kick sessions. */
int ros_remove_where(struct ros_conn *c, const char *menu, const char *key,
    const char *value, int *was_absent, size_t *removed, struct ros_error *err);
/* ros_remove_where with key "name". */
int ros_remove_by_name(struct ros_conn *c, const char *menu, const char *name,
    int *was_absent, struct ros_error *err);
/* enable/disable the entry named name; ROS_ENOTFOUND when absent. */
int ros_set_disabled_by_name(struct ros_conn *c, const char *menu, const char *name,
    int disabled, struct ros_error *err);

/* /system/resource print, the fields ispbill shows.  Strings are copied
 * (cut to fit); numbers are 0 when absent. */
struct ros_resource {
	char version[64];           /* "7.14.3 (stable)" */
	char board_name[64];
	char architecture[32];
	char cpu[64];
	char uptime[64];            /* as the router says it: "1w2d03:04:05" */
	long long uptime_ms;        /* parsed, -1 when it could not be */
	int cpu_load;               /* percent */
	int cpu_count;
	unsigned long long free_memory, total_memory;
	unsigned long long free_hdd_space, total_hdd_space;
};
/* out is zeroed first; ROS_EPROTO when the print returned no entry. */
int ros_system_resource(struct ros_conn *c, struct ros_resource *out, struct ros_error *err);
/* /system/identity print: the router's name into name (n bytes). */
int ros_system_identity(struct ros_conn *c, char *name, size_t n, struct ros_error *err);

/* /ip/hotspot/user: the fields ispbill sets; NULL fields are left alone. */
struct ros_hotspot_user {
	const char *name, *password, *profile, *server;
	const char *limit_uptime;   /* "1d", "30m", "00:30:00" */
	const char *limit_bytes_total;
	const char *mac_address;
	const char *comment;
	int disabled;               /* 1 yes, 0 no, -1 leave */
};
/* print ?name=<name> into res (one item or none). */
int ros_hotspot_user_get(struct ros_conn *c, const char *name, struct ros_result *res,
    struct ros_error *err);
/* Typed upserts: ros_upsert_by_name on the menu with the struct's non-NULL
 * fields (disabled -1 is left alone); *created (may be NULL) says whether
 * the entry was added.  ROS_EINVAL when name is NULL or empty. */
int ros_hotspot_user_upsert(struct ros_conn *c, const struct ros_hotspot_user *u,
    int *created, struct ros_error *err);
/* Kick: remove every /ip/hotspot/active entry of user; *n kicked (may be NULL). */
int ros_hotspot_kick(struct ros_conn *c, const char *user, size_t *n, struct ros_error *err);

/* /ip/hotspot/user/profile and /ppp/profile: name + rate-limit ("2M/5M"). */
struct ros_profile {
	const char *name;
	const char *rate_limit;
	const char *shared_users;   /* hotspot only: "1" */
	const char *local_address;  /* ppp only */
	const char *remote_address; /* ppp only: a pool name or an address */
	const char *comment;        /* only where the menu has one (/ppp/profile) */
};
/* Upserts by name, as ros_hotspot_user_upsert. */
int ros_hotspot_profile_upsert(struct ros_conn *c, const struct ros_profile *p,
    int *created, struct ros_error *err);
int ros_ppp_profile_upsert(struct ros_conn *c, const struct ros_profile *p,
    int *created, struct ros_error *err);

/* /ppp/secret */
struct ros_ppp_secret {
	const char *name, *password, *profile;
	const char *service;        /* "pppoe", "any", ... */
	const char *remote_address;
	const char *comment;
	int disabled;               /* 1 yes, 0 no, -1 leave */
};
/* print ?name=<name> into res; upsert by name as ros_hotspot_user_upsert. */
int ros_ppp_secret_get(struct ros_conn *c, const char *name, struct ros_result *res,
    struct ros_error *err);
int ros_ppp_secret_upsert(struct ros_conn *c, const struct ros_ppp_secret *s,
    int *created, struct ros_error *err);
/* Kick: remove every /ppp/active entry named name. */
int ros_ppp_kick(struct ros_conn *c, const char *name, size_t *n, struct ros_error *err);

/* /queue/simple */
struct ros_queue {
	const char *name, *target;  /* target: "10.0.0.5/32" */
	const char *max_limit;      /* "2M/5M" (upload/download) */
	const char *comment;
	int disabled;               /* 1 yes, 0 no, -1 leave */
};
/* Upsert by name, as ros_hotspot_user_upsert. */
int ros_queue_simple_upsert(struct ros_conn *c, const struct ros_queue *q, int *created,
    struct ros_error *err);

/* /interface print with name, type, running, disabled and the counters
 * rx-byte tx-byte rx-packet tx-packet (read with ros_item_u64). */
int ros_interface_print(struct ros_conn *c, struct ros_result *res, struct ros_error *err);

/* /interface/monitor-traffic =interface=<iface> =once=: one sample. */
struct ros_traffic {
	unsigned long long rx_bps, tx_bps;      /* rx/tx-bits-per-second */
	unsigned long long rx_pps, tx_pps;      /* rx/tx-packets-per-second */
};
int ros_monitor_traffic_once(struct ros_conn *c, const char *iface, struct ros_traffic *out,
    struct ros_error *err);
/* The same without =once=: streams an !re per second under *tag until
 * ros_cancel(c, *tag).  Pull the samples with ros_next_reply and read them
 * with ros_traffic_from_reply. */
int ros_monitor_traffic_start(struct ros_conn *c, const char *iface, unsigned long *tag,
    struct ros_error *err);
void ros_traffic_from_reply(const struct ros_reply *r, struct ros_traffic *out);

/* /ping =address= =count=: blocks about count seconds (call_timeout_ms
 * must allow it). */
struct ros_ping {
	int sent, received;
	int packet_loss;            /* percent */
	long long min_rtt_us, avg_rtt_us, max_rtt_us;   /* -1 when no reply */
};
int ros_ping(struct ros_conn *c, const char *address, int count, struct ros_ping *out,
    struct ros_error *err);
/* /ping streamed: an !re per probe under *tag (count 0: until cancelled). */
int ros_ping_start(struct ros_conn *c, const char *address, int count, unsigned long *tag,
    struct ros_error *err);

#endif
