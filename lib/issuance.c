/* issuance.c: see issuance.h. */
