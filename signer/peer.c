/* peer.c: who is on the other end of a signerd connection (SO_PEERCRED). */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "sconf.h"

/* 0 with *uid (and *pid when non-NULL), or -1 with errno. The kernel records
 * the credentials at connect(), so a peer cannot change them afterwards. */
int
cm_peer_uid(int fd, uid_t *uid, pid_t *pid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return -1;
	if (len != sizeof(cr)) {
		errno = EPROTO;
		return -1;
	}
	*uid = cr.uid;
	if (pid)
		*pid = cr.pid;
	return 0;
}
