# signer/: signerd, the only process holding private keys, and its protocol.
noinst_LIBRARIES += signer/libcmproto.a
signer_libcmproto_a_SOURCES = signer/proto.c signer/proto.h
