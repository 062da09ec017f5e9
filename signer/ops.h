/* ops.h: the closed set of signer operations, from a decoded request to a reply frame. */
#ifndef CM_OPS_H
#define CM_OPS_H

#include <semaphore.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "ca.h"
#include "checkpoint.h"
#include "crl.h"
#include "journal.h"
#include "issued_set.h"
#include "name_rules.h"
#include "ocsp.h"
#include "scep.h"
#include "profile.h"
#include "signer_proto.h"
#include "sconf.h"

struct cm_signer_ctx {
	const struct cm_profiles *profiles;
	struct cm_ca *ca;
	struct cm_journal *journal;
	/* Signed audit checkpoints (NULL: the op is answered with a failure). */
	struct cm_checkpoints *checkpoints;
	/* The CRL number counter (signer/crl.h; NULL: crl-sign fails). */
	struct cm_crl_numbers *crl_numbers;
	/* [access], for per-profile issue rights (NULL: every profile allowed). */
	const struct cm_sconf *conf;
	/* The name rules every issued name passes (NULL: the defaults, with no
	 * public suffix list, so every wildcard is refused). */
	const struct cm_name_rules *names;
	/* Bounds how many threads run CSR checks and signing at once (NULL: no
	 * bound). One per CPU keeps OpenSSL's internal locks uncontended while
	 * the other connection threads wait for the journal or the network. */
	sem_t *cpu_slots;
	/* The OCSP responder (signer/ocsp.h; NULL: ocsp-sign fails) and the
	 * serials this signer issued (NULL: not kept), which every issue adds to. */
	struct cm_ocsp *ocsp;
	struct cm_issued_set *issued;
	/* The SCEP RA pair (signer/scep.h; NULL: the SCEP ops fail). */
	struct cm_scep_ra *scep;
};

/*
 * Serves one frame read from a connection of uid (pid for the log): the op
 * must be served (reserved and unknown ops are not), its payload well
 * formed, the op allowed for uid by ctx->conf (NULL: every op), and its
 * fields the op's request set. Returns 0 with a complete OK or ERR frame in
 * reply (answer it and read the next frame), or -1 after logging why the
 * connection must be dropped without an answer.
 */
int cm_ops_serve(struct cm_signer_ctx *ctx, uid_t uid, pid_t pid,
    const struct cm_frame_hdr *h, const unsigned char *payload, struct cm_buf *reply);

/* Runs an allowed op (the caller checked the ACL) and leaves a complete
 * OP_REPLY_OK or OP_REPLY_ERR frame in reply. A request whose deadline
 * (TAG_DEADLINE_MS) has passed is dropped unsigned and unjournalled, logged,
 * and answered with class "expired"; a failure of the signer itself (the
 * journal write, ...) with class "fault", a policy refusal with "refused"
 * (classes only to clients that sent a deadline). Returns 0, or -1 when not
 * even an error reply could be built (drop the connection). */
int cm_ops_handle(struct cm_signer_ctx *ctx, uid_t uid, unsigned op,
    uint32_t request_id, const struct cm_msg *m, struct cm_buf *reply);

#endif
