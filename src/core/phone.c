/* phone.c - phone numbers and MAC addresses in one canonical form. */
#include "config.h"
#include "core/phone.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int
phone_normalise(const char *in, char *out, size_t outlen)
{
	char d[32];
	size_t n = 0;
	int plus = 0;

	for (const char *p = in; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (n + 1 >= sizeof(d))
				return -1;
			d[n++] = *p;
		} else if (*p == '+' && n == 0 && !plus)
			plus = 1;
		else if (*p != ' ' && *p != '-' && *p != '(' && *p != ')' && *p != '.')
			return -1;
	}
	d[n] = '\0';
	if (!plus) {
		/* national forms: Kenya 07xx/01xx (10 digits), Bangladesh 01xxx (11) */
		if (n == 10 && d[0] == '0' && (d[1] == '7' || d[1] == '1')) {
			snprintf(out, outlen, "254%s", d + 1);
			return 0;
		}
		if (n == 11 && d[0] == '0' && d[1] == '1') {
			snprintf(out, outlen, "88%s", d);
			return 0;
		}
		if (n == 9 && (d[0] == '7' || d[0] == '1')) {
			snprintf(out, outlen, "254%s", d);
			return 0;
		}
		if (n > 0 && d[0] == '0')
			return -1;
	}
	if (n < 8 || n > 15 || d[0] == '0')
		return -1;
	/* a country code we know must have its length */
	if (strncmp(d, "254", 3) == 0 && n != 12)
		return -1;
	if (strncmp(d, "880", 3) == 0 && n != 13)
		return -1;
	if ((size_t)snprintf(out, outlen, "%s", d) >= outlen)
		return -1;
	return 0;
}

int
mac_normalise(const char *in, char *out, size_t outlen)
{
	char hex[13];
	size_t n = 0;

	for (const char *p = in; *p; p++) {
		if (isxdigit((unsigned char)*p)) {
			if (n == 12)
				return -1;
			hex[n++] = (char)toupper((unsigned char)*p);
		} else if (*p != ':' && *p != '-' && *p != '.')
			return -1;
	}
	if (n != 12 || outlen < 18)
		return -1;
	snprintf(out, outlen, "%.2s:%.2s:%.2s:%.2s:%.2s:%.2s", hex, hex + 2, hex + 4, hex + 6,
	    hex + 8, hex + 10);
	return 0;
}
