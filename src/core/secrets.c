/* secrets.c - secrets encrypted at rest with libsodium's secretbox. */
#include "config.h"
#include "core/secrets.h"
#include "util/arena.h"

#include <sodium.h>
#include <string.h>

static unsigned char key[crypto_secretbox_KEYBYTES];
static int have_key;

int
secrets_init(const char *hexkey)
{
	size_t n = 0;

	have_key = 0;
	if (hexkey == NULL || *hexkey == '\0')
		return 0;
	if (sodium_hex2bin(key, sizeof(key), hexkey, strlen(hexkey), NULL, &n, NULL) != 0 ||
	    n != sizeof(key))
		return -1;
	have_key = 1;
	return 0;
}

int
secrets_ready(void)
{
	return have_key;
}

const char *
secret_seal(struct arena *a, const char *plain)
{
	size_t plen = strlen(plain), blen = crypto_secretbox_NONCEBYTES +
	    crypto_secretbox_MACBYTES + plen;
	unsigned char *box;
	char *out;
	size_t olen;

	if (!have_key)
		return NULL;
	box = arena_alloc(a, blen);
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain,
	    plen, box, key);
	olen = sodium_base64_encoded_len(blen, sodium_base64_VARIANT_ORIGINAL);
	out = arena_alloc(a, olen);
	sodium_bin2base64(out, olen, box, blen, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

const char *
secret_open(struct arena *a, const char *sealed)
{
	size_t slen, blen = 0;
	unsigned char *box;
	char *plain;

	if (!have_key || sealed == NULL)
		return NULL;
	slen = strlen(sealed);
	box = arena_alloc(a, slen + 1);
	if (sodium_base642bin(box, slen, sealed, slen, NULL, &blen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return NULL;
	plain = arena_alloc(a, blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES + 1);
	if (crypto_secretbox_open_easy((unsigned char *)plain, box + crypto_secretbox_NONCEBYTES,
	    blen - crypto_secretbox_NONCEBYTES, box, key) != 0)
		return NULL;
	plain[blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES] = '\0';
	return plain;
}
