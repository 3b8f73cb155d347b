/* timeutil.h - wall-clock ISO 8601 stamps and monotonic milliseconds. */
#ifndef ISP_TIMEUTIL_H
#define ISP_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* "2024-01-01T00:00:00Z" (frac = 0) or "2024-01-01T00:00:00.123456Z". */
void    time_iso8601_now(char *out, size_t n, int frac);
void    time_iso8601(char *out, size_t n, time_t t);
/* Now in UTC as MariaDB writes a DATETIME(6): "2024-01-01 00:00:00.123456"
 * (such texts compare as strings in time order). */
void    time_db_now(char *out, size_t n);
double  time_mono_ms(void);

#endif
