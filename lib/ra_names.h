/* ra_names.h: the registration-authority name check (every name of a CSR in a validated domain delegated to the organisation for the type). */
#ifndef CM_RA_NAMES_H
#define CM_RA_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "db.h"

/*
 * Checks every DNS/e-mail/UPN name of req, and a host-name or e-mail CN,
 * against the validated domains of customer_id delegated to org_id (to any
 * of its organisations when 0; dept_id 0 = the organisation itself) for
 * cert_type ("ssl", "client", "codesign"; any other type has no delegated
 * domain, so every such name is refused). IP, URI and other SANs are
 * refused: only an operator may issue them (certmint issue --any-name, which
 * does not call this). Returns 0 when all are covered; 400 with err naming
 * the first name that is not (or an unknown org_id); 500 on database errors
 * (logged).
 */
int cm_ra_check_names(struct cm_db *db, int64_t customer_id, int64_t org_id, int64_t dept_id,
    const char *cert_type, X509_REQ *req, char *err, size_t errlen);

struct cm_name_rules;

/*
 * The name rules of this process (certmint.conf [names]): reads the public
 * suffix list at psl_path (NULL: CM_PSL_DEFAULT_PATH) once, logging when it
 * cannot (every wildcard is then refused). Call it at start, before workers
 * fork; a process that never does gets the defaults on first use.
 */
void cm_ra_names_configure(const char *psl_path, int allow_loopback_ip);
const struct cm_name_rules *cm_ra_name_rules(void);

/*
 * The syntax rules (lib/name_rules.h) over what a certificate from req would
 * carry: every attribute of the CSR's subject must be clean text, and the
 * planned subject with the CSR's SANs must pass cm_nr_check_names (the
 * CN = SAN rule for cert_type "ssl"). Applies to operators too (--any-name
 * skips only the domain check). 0, or 400 with err.
 */
int cm_ra_check_syntax(X509_REQ *req, const X509_NAME *subject, const char *cert_type,
    char *err, size_t errlen);

#endif
