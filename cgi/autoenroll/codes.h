/* codes.h: autoenroll.fcgi's numbered answers (the numbering and texts users of the hosted manager know; the client scripts copy the texts) with the HTTP status of each. */
#ifndef CM_AUTOENROLL_CODES_H
#define CM_AUTOENROLL_CODES_H

/*
 * X(code, NAME, "message", HTTP status). The texts are the list word
 * for word: scripts written for the hosted manager match on them. The HTTP
 * status is the one a code has when nothing else is said; 13 ("Failed to
 * get adserver or attributes") and 30 ("Failed to enroll certificate") are
 * answered with another status for some causes (aed_answer's status
 * argument): 13 is 503 when the directory cannot be reached or bound and 403
 * when the account is disabled or unknown; 30 is 503 when the signer cannot
 * be reached, 403 when it refuses by policy.
 */
#define AED_CODES(X) \
	X(0,  OK,                  "Success",                                 200) \
	X(1,  NO_CUSTOMER_URI,     "No customer URI supplied",                404) \
	X(2,  CUSTOMER_INVALID,    "Customer invalid",                        404) \
	X(3,  CUSTOMER_DISABLED,   "Customer disabled",                       403) \
	X(4,  NO_MATCHED_DOMAIN,   "No matched domain",                       403) \
	X(5,  DOMAIN_UNAUTHORIZED, "Domain unauthorized",                     403) \
	X(6,  ORGID_INVALID,       "Supplied orgid invalid",                  400) \
	X(7,  NO_ORGANIZATION,     "No organization found",                   403) \
	X(8,  NO_MATCHED_ORG,      "No matched organization",                 403) \
	X(9,  NO_AD_SERVER,        "Failed to find the AD Server",            403) \
	X(10, DOMAIN_MISMATCH,     "Windows domain mismatch",                 403) \
	X(11, NO_SUITABLE_ORG,     "No suitable organization",                403) \
	X(12, NO_MATCHED_AD,       "No matched ADServer",                     403) \
	X(13, AD_FAILED,           "Failed to get adserver or attributes",    503) \
	X(14, PERSON_SYNC,         "Failed to sync person",                   500) \
	X(15, INVALID_CSR,         "Invalid CSR",                             400) \
	X(16, NO_AD_EMAIL,         "No valid Email in AD",                    403) \
	X(17, NO_AD_NAME,          "No valid User Name in AD",                403) \
	X(18, EMAIL_MISMATCH,      "Email in AD mismatch",                    403) \
	X(19, NAME_MISMATCH,       "User Name in AD mismatch",                403) \
	X(20, PERSON_MISMATCH,     "Person mismatch",                         403) \
	X(21, INVALID_STATUS,      "Invalid status supplied",                 400) \
	X(22, UNKNOWN_PERSON,      "Unknown person for processStatus",        404) \
	X(23, STATUS_FAILED,       "Failed to process status",                500) \
	X(24, INVALID_SERIAL,      "Invalid serial number supplied",          400) \
	X(25, NO_CERT,             "Failed to get cert",                      404) \
	X(26, NO_EMAIL,            "No email supplied",                       400) \
	X(27, INVALID_REMOTE_USER, "Invalid remote user",                     401) \
	X(28, NO_SYNCED_PERSON,    "No synchronized person",                  403) \
	X(29, NO_REQUEST,          "No request supplied",                     400) \
	X(30, ENROLL_FAILED,       "Failed to enroll certificate",            500)

enum aed_code {
#define AED_ENUM(n, name, msg, http) AED_##name = n,
	AED_CODES(AED_ENUM)
#undef AED_ENUM
	AED_CODE__MAX
};

/* The message of code ("Unknown code" outside the list). */
const char *aed_code_message(int code);
/* The default HTTP status of code (500 outside the list). */
int aed_code_http(int code);

#endif
