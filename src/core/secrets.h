/* secrets.h - router, SMS and M-Pesa secrets encrypted at rest with
 * libsodium's secretbox under the configuration's secret_key. */
#ifndef ISP_SECRETS_H
#define ISP_SECRETS_H

struct arena;

/* 0, or -1 when hexkey is not 64 hex digits.  An empty key leaves the
 * store closed: sealing fails. */
int  secrets_init(const char *hexkey);
int  secrets_ready(void);
/* base64(nonce || box) into the arena; NULL when no key is set. */
const char *secret_seal(struct arena *a, const char *plain);
/* the plain text, or NULL when the box does not open. */
const char *secret_open(struct arena *a, const char *sealed);

#endif
