/* log.h: one logging call for every certmint program (stderr or syslog). */
#ifndef CM_LOG_H
#define CM_LOG_H

enum cm_log_level { CM_LOG_ERR, CM_LOG_WARN, CM_LOG_INFO, CM_LOG_DEBUG };

/* Sets the program name shown in every line, the threshold, and whether
 * lines go to syslog (1) or stderr (0). Safe to call again. */
void cm_log_init(const char *progname, enum cm_log_level level, int use_syslog);

/* Parses "error", "warn", "info", "debug"; returns -1 when unknown. */
int cm_log_level_parse(const char *s);

/* Never pass secrets (passwords, access codes, keys, tokens) to these. */
void cm_log(enum cm_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define cm_err(...)   cm_log(CM_LOG_ERR, __VA_ARGS__)
#define cm_warn(...)  cm_log(CM_LOG_WARN, __VA_ARGS__)
#define cm_info(...)  cm_log(CM_LOG_INFO, __VA_ARGS__)
#define cm_debug(...) cm_log(CM_LOG_DEBUG, __VA_ARGS__)

#endif
