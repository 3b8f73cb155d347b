/* uuid.h - random (v4) UUIDs and random hex strings from libsodium. */
#ifndef ISP_UUID_H
#define ISP_UUID_H

#include <stddef.h>

void uuid_v4(char out[37]);
/* n random bytes as 2n hex digits + NUL (out holds 2n + 1). */
void random_hex(char *out, size_t nbytes);

#endif
