/* phone.h - phone numbers as ispbill keeps them: E.164 digits without '+'
 * (254712345678, 8801712345678); 0712345678, +254 712 345 678 and
 * 254712345678 are one number. */
#ifndef ISP_PHONE_H
#define ISP_PHONE_H

#include <stddef.h>

/* 0 and the normalised digits in out (at least 16 bytes), or -1 when the
 * text is not a phone number. */
int phone_normalise(const char *in, char *out, size_t outlen);
/* MAC address to AA:BB:CC:DD:EE:FF; accepts '-', ':', '.' or none. */
int mac_normalise(const char *in, char *out, size_t outlen);

#endif
