/* log.h - one line per event on stderr (or syslog), request id in every line. */
#ifndef ISP_LOG_H
#define ISP_LOG_H

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(const char *prog, int use_syslog);
void log_set_level(enum log_level lvl);
int  log_level_parse(const char *s, enum log_level *out);   /* 0 ok, -1 unknown */
void log_set_request_id(const char *rid);                   /* NULL clears */
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
