/* access_code_upgrade.h: hashes the plaintext access codes left from before migration 020 (run after every migration). */
#ifndef CM_ACCESS_CODE_UPGRADE_H
#define CM_ACCESS_CODE_UPGRADE_H

#include <stddef.h>

struct cm_db;

/*
 * Replaces every plaintext organizations/departments.client_access_code by
 * its keyed hash (cm_access_code_hash with key), its hint and "set now",
 * and empties the plaintext column, each with an audit row
 * ("<kind>.access_code.hash", actor "certmint migrate"), all in one
 * transaction. SQL cannot do this itself: the key is a file only the
 * programs read. With plaintext left and no key (NULL) nothing changes
 * and it fails, saying so. The number of codes hashed (0: nothing left),
 * or -1 with err.
 */
long cm_access_code_upgrade(struct cm_db *db, const unsigned char *key, size_t keylen,
    char *err, size_t errlen);

#endif
