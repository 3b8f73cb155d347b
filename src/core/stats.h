/* stats.h - being written. */
#ifndef ISP_STATS_H
#define ISP_STATS_H
#endif
