/* proto.c: encoding and decoding of signerd frames. */
