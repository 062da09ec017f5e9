/* signer_client.c: see signer_client.h. */
