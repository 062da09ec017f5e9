/* codes.c: the message and HTTP status of each of autoenroll.fcgi's numbered answers (codes.h). */
#include "config.h"

#include "codes.h"

/* The message, or "Unknown code". */
const char *
aed_code_message(int code)
{
	switch (code) {
#define AED_MSG(n, name, msg, http) case n: return msg;
	AED_CODES(AED_MSG)
#undef AED_MSG
	}
	return "Unknown code";
}

/* The default HTTP status, or 500. */
int
aed_code_http(int code)
{
	switch (code) {
#define AED_HTTP(n, name, msg, http) case n: return http;
	AED_CODES(AED_HTTP)
#undef AED_HTTP
	}
	return 500;
}
